#pragma once
// The Hugging Face tensor names and shapes of every architecture, as one table (tensor_names.cpp):
// which tensors a config implies, and which layer handle each one binds to.

#include "core/model/layers.h"

#include <map>
#include <string>
#include <vector>

namespace thinkbench::core {

// Points the handles of layer `layer` at their tensors in `params` (by Hugging Face name).
void bindLayerTensors(Transformer::Layer& L, const ModelConfig& config, int layer,
                      const std::map<std::string, at::Tensor>& params);

bool isBias(const std::string& name);
// The MoE selection biases (e_score_correction_bias): buffers, not trained by gradients.
bool isSelectionBias(const std::string& name);
// f32 whatever the model dtype, as Hugging Face keeps them: routing chooses among near-tied
// experts, and bf16-rounded router weights choose differently.
bool keptInFloat(const std::string& name);

} // namespace thinkbench::core
