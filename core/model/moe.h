#pragma once
// DeepSeekMoE: routed experts chosen per token (moe_routing: group-limited top-k on the scores
// plus the selection bias), computed by grouped dispatch (tokens sorted by expert, one matmul per
// expert), plus the shared experts every token passes through.

#include "core/model/layers.h"

namespace thinkbench::core {

// What one MoE layer's routing did, for balance losses and mismatch metrics.
struct MoeTrace {
    at::Tensor load;    // [routed experts] tokens per expert (f32)
    at::Tensor scores;  // [B*T, routed experts] routing scores
    at::Tensor experts; // [B*T, K] int64: the experts each token went to
};

// x: [B, T, hidden] normed; returns [B, T, hidden]. replayExperts ([B*T, K] int64, used where
// replayed [B*T] is true) overrides the router's choice; undefined: the router chooses.
at::Tensor moe(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, const at::Tensor& replayExperts,
               const at::Tensor& replayed, MoeTrace& trace);

} // namespace thinkbench::core
