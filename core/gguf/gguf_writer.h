#pragma once
// Writes GGUF v3 files llama.cpp reads: metadata in the order added, tensor infos, and the tensor
// data aligned to 32 bytes, through core/atomic_file. Tensors are encoded as F32, F16, BF16 or one
// of the quantized types core/gguf/quantize writes (Q8_0, Q5_0, Q4_K, Q6_K).

#include "core/gguf/gguf_file.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace thinkbench::core {

GgufValue ggufString(std::string text);
GgufValue ggufUint32(int64_t value);
GgufValue ggufFloat32(double value);
GgufValue ggufBool(bool value);
GgufValue ggufArray(GgufArray items);

// The bytes of a tensor in `type` (F32, F16, BF16, Q8_0, Q5_0, Q4_K or Q6_K; rows of a quantized
// type must be whole blocks of it).
std::string encodeTensor(const at::Tensor& tensor, GgmlType type);

class GgufWriter {
public:
    void add(const std::string& key, GgufValue value);
    // shape: outermost first (torch order); bytes: as encodeTensor gives them.
    void addTensor(const std::string& name, GgmlType type, std::vector<int64_t> shape, std::string bytes);
    // Throws core::Error naming the path when it cannot be written.
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<int64_t> shape;
        std::string bytes;
    };
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::vector<Tensor> tensors_;
};

} // namespace thinkbench::core
