#pragma once
// One Transformer for every supported architecture: GQA or multi-head latent attention, dense
// SwiGLU or DeepSeekMoE, RMSNorm, RoPE (default, llama3, yarn). Parameters are plain tensors keyed
// by their Hugging Face names, so checkpoints load and save without a conversion step.

#include "core/model/kv_cache.h"
#include "core/model/linear_weight.h"
#include "core/model/model_config.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace thinkbench::core {

// Routing replay: per MoE layer, the experts each position went to in another forward (the
// sampler's), [B*T, K] int64, used where `recorded` [B*T] bool is set; elsewhere the router chooses.
struct ExpertReplay {
    std::vector<at::Tensor> experts;
    at::Tensor recorded;
};

struct ForwardOptions {
    KvCache* cache = nullptr; // nullptr: no cache (training, scoring)
    // [B, T] (no cache) or [B, cache length + T]: 1 for real tokens, 0 for left padding. Rope
    // positions count real tokens only, so a padded row gives the logits it gives alone.
    at::Tensor attentionMask;
    bool lastTokenOnly = false; // logits of the last position only (decoding)
    const ExpertReplay* replay = nullptr;
};

struct ForwardOutput {
    at::Tensor logits;     // [B, T or 1, vocab], in the model's dtype
    at::Tensor expertLoad; // [MoE layers, routed experts] tokens routed to each expert (float)
    // [MoE layers] of [B*T, routed experts] routing scores, for a sequence-wise balance loss
    std::vector<at::Tensor> routerScores;
    // [MoE layers] of [B*T, K] int64: the experts each position went to, best first
    std::vector<at::Tensor> routedExperts;
};

// What a loaded model is for. Training: every weight copied into a trainable tensor of the model's
// dtype. Inference: on the CPU, weights stored in the model's dtype are read in place from the mapped
// file (read-only, no copy) and projections in the types keptQuantized() names (a GGUF file's blocks,
// a bf16 or f16 folder's in an f32 model) stay as stored; so a load takes the file's size in memory,
// not twice it. Such a model cannot be trained or saved. Export: read in place as for Inference,
// but from the page cache's pages (not read onto huge pages first), which releaseFilePages() gives
// back: a pass that reads each weight once (a GGUF export) holds about one weight of the file, and a
// model larger than memory can be read.
enum class WeightUse { Training, Inference, Export };

class Transformer {
public:
    // Random weights (normal, std = initializer_range; norms at 1), from torch's global RNG.
    Transformer(const ModelConfig& config, at::ScalarType dtype, at::Device device);
    // A model folder (config.json + safetensors, single or sharded) or a .gguf file (dequantized
    // into `dtype`, or kept quantized for inference). Missing, unexpected and mis-shaped tensors are
    // errors naming the tensor, the file and both shapes. MoE router weights and selection biases
    // stay f32 in any dtype, as Hugging Face keeps them.
    static Transformer load(const std::string& path, at::ScalarType dtype, at::Device device,
                            WeightUse use = WeightUse::Training);
    // config.json + model.safetensors with Hugging Face names and layout. A model with quantized
    // weights is an error naming them.
    void save(const std::string& dir) const;

    ForwardOutput forward(const at::Tensor& inputIds, const ForwardOptions& options = {}) const;

    const ModelConfig& config() const { return config_; }
    at::ScalarType dtype() const { return dtype_; }
    at::Device device() const;
    // Trainable parameters by Hugging Face name (tied models have no lm_head.weight). A model loaded
    // for inference from a quantized file has its quantized weights in quantizedWeights() instead.
    std::map<std::string, at::Tensor>& namedParameters() { return params_; }
    const std::map<std::string, at::Tensor>& namedParameters() const { return params_; }
    const std::map<std::string, LinearWeight>& quantizedWeights() const { return quantized_; }
    // MoE selection biases (e_score_correction_bias), one per MoE layer: buffers, not trained by
    // gradients; the aux-loss-free balancing nudges them.
    std::vector<at::Tensor> selectionBiases() const;
    int64_t numParameters() const;
    // Forward FLOPs per token at a context of `context` tokens (2 per multiply-add, attention
    // included; MoE counts only the activated experts), for MFU reports.
    double flopsPerToken(int64_t context) const;
    // A deep copy: a frozen reference model, or the sampling policy of a training step.
    Transformer clone() const;
    // Drops the pages of the files this model reads in place from this process's memory
    // (MappedFile::release: what the page cache serves, not the huge-page copy of an inference load);
    // a later read maps them in again.
    void releaseFilePages() const;

    struct Layer;

private:
    Transformer() = default;
    // The checks and conversions of load() over CheckpointReader or GgufCheckpoint.
    template <typename Reader>
    static Transformer loadTensors(const ModelConfig& config, const Reader& reader, const std::string& dir,
                                   at::ScalarType dtype, at::Device device, WeightUse use);
    void bindLayers();

    ModelConfig config_;
    at::ScalarType dtype_ = at::kFloat;
    std::map<std::string, at::Tensor> params_; // includes the selection-bias buffers
    std::map<std::string, LinearWeight> quantized_;
    std::shared_ptr<std::vector<Layer>> layers_;
    LinearWeight embedding_, head_; // the head is the embedding in tied models
    // The mapping an untied embedding read in place lies in (lookupOnlyWeights): its lookups give
    // back the pages they map. Null for every other load.
    std::shared_ptr<const MappedFile> embeddingPages_;
    std::vector<std::shared_ptr<const MappedFile>> files_; // every mapping an in-place load reads from
    at::Tensor invFreq_;                                   // rope inverse frequencies (f32)
    double ropeAttentionScale_ = 1.0;
    double softmaxScale_ = 1.0;
};

// The Hugging Face tensor names and shapes a config implies, from the one table that maps names
// (tensor_names.cpp).
std::map<std::string, std::vector<int64_t>> expectedTensors(const ModelConfig& config);

} // namespace thinkbench::core
