#pragma once
// A GGUF model file as a ThinkBench model: the ModelConfig its general.architecture's keys describe
// (qwen2, llama, deepseek2), and its tensors under Hugging Face names through the name table of
// core/model/tensor_names. Weights are dequantized when read (to f32, or kept F16/BF16), so the
// Transformer holds them in its dtype like any checkpoint's.

#include "core/gguf/gguf_file.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"
#include "core/model/tensor_names.h"

#include <map>
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
    GgufCheckpoint(const GgufFile& file, const ModelConfig& config);
    // Hugging Face names of the tensors found, and the GGUF names of any tensor the model does not
    // use (so a load reports them as unexpected).
    std::vector<std::string> names() const;
    const TensorEntry& entry(const std::string& name) const { return entries_.at(name); }
    at::Tensor tensor(const std::string& name) const;
    bool contains(const std::string& name) const { return entries_.count(name) > 0; }
    std::string fileOf(const std::string& name) const;

private:
    const GgufFile& file_;
    ModelConfig config_;
    bool permutedQk_ = false;
    std::map<std::string, GgufTensorRef> where_; // Hugging Face name -> GGUF tensor
    std::map<std::string, TensorEntry> entries_;
    std::set<std::string> splitKvB_; // kv_b_proj tensors stored as attn_k_b and attn_v_b
};

} // namespace thinkbench::core
