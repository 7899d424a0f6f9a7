#pragma once
// A GGUF model file as a ThinkBench model: the ModelConfig its general.architecture's keys describe
// (qwen2, llama, deepseek2), and its tensors under Hugging Face names through the name table of
// core/model/tensor_names. Weights are dequantized when read (to f32, or kept F16/BF16), so the
// Transformer holds them in its dtype like any checkpoint's; or, for inference, read in place:
// projections as QuantizedMatrix over the file's blocks, F32/F16/BF16 tensors over its bytes.

#include "core/gguf/gguf_file.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"
#include "core/model/tensor_names.h"
#include "core/quant/quantized_matrix.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace thinkbench::core {

// Throws core::Error naming the file and the key that is missing, mistyped or unsupported.
ModelConfig ggufModelConfig(const GgufFile& file);

// The tensors of a GGUF model by Hugging Face name, with the interface of CheckpointReader, so
// Transformer::load checks them alike. llama files have their Q and K rows permuted by llama.cpp's
// converter (for its rope); tensor() undoes that.
class GgufCheckpoint {
public:
    // Tensors are read as copies; `file` must outlive the checkpoint.
    GgufCheckpoint(const GgufFile& file, const ModelConfig& config);
    // Also reads in place (view, quantized); what those return keeps the file mapped.
    GgufCheckpoint(std::shared_ptr<const GgufFile> file, const ModelConfig& config);
    // Hugging Face names of the tensors found, and the GGUF names of any tensor the model does not
    // use (so a load reports them as unexpected).
    std::vector<std::string> names() const;
    const TensorEntry& entry(const std::string& name) const { return entries_.at(name); }
    at::Tensor tensor(const std::string& name) const;
    // The tensor over the file's bytes where it is stored F32, F16 or BF16 (read-only), else as
    // tensor() reads it.
    at::Tensor view(const std::string& name) const;
    // A projection's weight kept in its blocks, for an input of `dtype`, where the stored type is one
    // keptQuantized() names; nullopt otherwise (read it with tensor()).
    std::optional<QuantizedMatrix> quantized(const std::string& name, at::ScalarType dtype) const;
    bool contains(const std::string& name) const { return entries_.count(name) > 0; }
    std::string fileOf(const std::string& name) const;
    // The mapping that holds the tensor's bytes (GgufFile::mapping).
    std::shared_ptr<const MappedFile> mappingOf(const std::string&) const { return file_.mapping(); }

private:
    // The tensor's bytes (one expert's slice of a stacked tensor) and its shape; nullptr for tensors
    // that are not stored as one block of bytes (a split kv_b_proj) or without a file to keep mapped.
    const uint8_t* bytesOf(const std::string& name, std::vector<int64_t>& shape, GgmlType& type) const;
    // The heads whose Q or K rows llama.cpp permuted in this tensor; 0 for every other tensor.
    int64_t permutedHeads(const std::string& name) const;
    std::shared_ptr<const MappedFile> owner_; // the file's bytes (GgufFile::mapping), for what reads in place
    const GgufFile& file_;
    ModelConfig config_;
    bool permutedQk_ = false;
    std::map<std::string, GgufTensorRef> where_; // Hugging Face name -> GGUF tensor
    std::map<std::string, TensorEntry> entries_;
    std::set<std::string> splitKvB_; // kv_b_proj tensors stored as attn_k_b and attn_v_b
};

} // namespace thinkbench::core
