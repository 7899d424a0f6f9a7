#pragma once
// DeepSeekMoE: routed experts chosen per token (moe_routing: group-limited top-k on the scores
// plus the selection bias), computed by grouped dispatch (tokens sorted by expert, one matmul per
// expert), plus the shared experts every token passes through.

#include "core/model/layers.h"

namespace thinkbench::core {

// x: [B, T, hidden] normed; returns [B, T, hidden]. load: [routed experts] tokens per expert
// (f32); scoresOut: [B*T, routed experts] routing scores.
at::Tensor moe(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, at::Tensor& load,
               at::Tensor& scoresOut);

} // namespace thinkbench::core
