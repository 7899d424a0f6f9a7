#pragma once
// The Hugging Face tensor names and shapes of every architecture, as one table (tensor_names.cpp):
// which tensors a config implies, which layer handle each one binds to, and llama.cpp's GGUF names.

#include "core/model/layers.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace thinkbench::core {

// Points the handles of layer `layer` at their tensors in `params` or, for projections kept
// quantized, their weights in `quantized` (both by Hugging Face name).
void bindLayerTensors(Transformer::Layer& L, const ModelConfig& config, int layer,
                      const std::map<std::string, at::Tensor>& params,
                      const std::map<std::string, LinearWeight>& quantized);
// The weights a model multiplies by as projections (LinearWeight handles, the embedding and the lm
// head): the tensors that may stay quantized.
std::set<std::string> linearWeightNames(const ModelConfig& config);
// The weights a forward pass only looks rows up in, which a load for inference leaves in the page
// cache (MappedFile): the token embedding, where the head has a weight of its own.
std::set<std::string> lookupOnlyWeights(const ModelConfig& config);

// Where a Hugging Face tensor lives in a GGUF file, under llama.cpp's name: a tensor of its own, or
// one expert's slice of the tensor that stacks a layer's routed experts.
struct GgufTensorRef {
    std::string name;
    int expert = -1;
};
std::map<std::string, GgufTensorRef> ggufTensorNames(const ModelConfig& config);

bool isBias(const std::string& name);
// The MoE selection biases (e_score_correction_bias): buffers, not trained by gradients.
bool isSelectionBias(const std::string& name);
// f32 whatever the model dtype, as Hugging Face keeps them: routing chooses among near-tied
// experts, and bf16-rounded router weights choose differently.
bool keptInFloat(const std::string& name);

} // namespace thinkbench::core
