#pragma once
// Mixture-of-Experts load balancing during training (DeepSeek-V3): the auxiliary-loss-free
// selection-bias update, the optional sequence-wise balance loss, and the per-layer load figures
// the curves panel plots.

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace thinkbench::training {

// After a step, each expert's selection bias moves by gamma towards balance (up when it got
// fewer tokens than the mean, down when more).
void updateSelectionBias(at::Tensor& bias, const at::Tensor& load, double gamma);

// alpha * sum_i f_i * P_i per sequence, averaged over the batch; routerScores: per MoE layer
// [B*T, E]; biases: the layers' selection biases (they choose, they do not weigh).
at::Tensor sequenceBalanceLoss(const std::vector<at::Tensor>& routerScores, const std::vector<at::Tensor>& biases,
                               int64_t B, int64_t T, int topK, double alpha);

// load: [layers, experts] tokens per expert. Adds "moe/layerN/max_min" and "moe/layerN/cv".
void addExpertLoadMetrics(const at::Tensor& load, std::map<std::string, double>& metrics);

} // namespace thinkbench::training
