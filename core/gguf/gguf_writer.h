#pragma once
// Writes GGUF v3 files llama.cpp reads: metadata in the order added, tensor infos, and the tensor
// data aligned to 32 bytes, through core/atomic_file. Tensors are encoded as F32, F16, BF16 or one
// of the quantized types core/gguf/quantize writes (Q8_0, Q5_0, Q4_K, Q6_K).

#include "core/gguf/gguf_file.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <ostream>
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
// type must be whole blocks of it), written to `out` a piece of rows at a time, or returned whole.
void writeTensor(std::ostream& out, const at::Tensor& tensor, GgmlType type);
// Rows [first, first + count) of a tensor seen as [rows, cols], in any dtype.
using RowReader = std::function<at::Tensor(int64_t first, int64_t count)>;
// writeTensor of a [rows, cols] tensor read a piece of rows at a time: a source that must be decoded
// (GGUF blocks) is then never held whole.
void writeTensorRows(std::ostream& out, int64_t rows, int64_t cols, const RowReader& read, GgmlType type);
std::string encodeTensor(const at::Tensor& tensor, GgmlType type);

class GgufWriter {
public:
    // Writes a tensor's bytes (as writeTensor does) when write() reaches it: a file is then written
    // without holding its tensors' bytes.
    using Encode = std::function<void(std::ostream& out)>;
    // Told after each tensor: bytes of tensor data written so far, of all, and the tensor's name.
    using Progress = std::function<void(int64_t written, int64_t total, const std::string& tensor)>;

    void add(const std::string& key, GgufValue value);
    // shape: outermost first (torch order); rows must be whole blocks of `type` (a core::Error
    // naming the tensor otherwise), and the bytes as many as type and shape take.
    void addTensor(const std::string& name, GgmlType type, std::vector<int64_t> shape, std::string bytes);
    void addTensor(const std::string& name, GgmlType type, std::vector<int64_t> shape, Encode encode);
    // Throws core::Error naming the path when it cannot be written, and naming the tensor when its
    // bytes are not as many as its type and shape take; either way the path keeps what it held.
    void write(const std::string& path, const Progress& progress = {}) const;

private:
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<int64_t> shape;
        int64_t size; // bytes
        std::string bytes;
        Encode encode; // set where the bytes are written by write() itself
    };
    void addTensor(Tensor t);
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::vector<Tensor> tensors_;
};

} // namespace thinkbench::core
