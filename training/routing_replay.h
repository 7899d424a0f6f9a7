#pragma once
// MoE routing replay ("Routing Replay" of the GSPO paper; R3, Ma et al. 2025): the experts the
// generator routed each sampled position to, laid out for the training forward, which then routes
// those positions the same way; and how often the trainer's routing differs from the sampler's,
// a metric whether or not replay is on.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace thinkbench::core {
struct ExpertReplay;
struct ModelConfig;
} // namespace thinkbench::core

namespace thinkbench::training {

// records[b]: GenerationResult::routedExperts of the sequence in row b ([position][MoE layer][k],
// from position 0); width: the batch's T. Positions past a record are left to the router.
core::ExpertReplay expertReplay(const std::vector<const std::vector<int16_t>*>& records, int64_t width,
                                const core::ModelConfig& config, c10::Device device);

// Of the recorded positions' routing decisions (position x MoE layer), how many chose a different
// set of experts in `routed` (a forward's ForwardOutput::routedExperts) than the sampler did.
struct RoutingComparison {
    double differing = 0;
    double decisions = 0;
};
RoutingComparison compareRouting(const std::vector<at::Tensor>& routed, const core::ExpertReplay& sampled);

} // namespace thinkbench::training
