#pragma once
// DeepSeekMoE's routing, apart from the experts: which experts each token goes to and with what
// weight (the router), and the order that makes each expert's tokens one contiguous block for one
// matmul per expert (the token permutation). The ATen code here is the reference and runs on any
// device; on CUDA, fused kernels (core/model/cuda) take over when enabled.

#include "core/model/cuda/routing_steps.h"
#include "core/model/model_config.h"

#include <ATen/core/Tensor.h>

namespace thinkbench::core {

cuda::RouterParams routerParams(const ModelConfig& config);

struct Routing {
    at::Tensor scores;  // [N, E] f32: sigmoid or softmax of the router logits (differentiable)
    at::Tensor experts; // [N, K] int64: chosen experts, best first
    at::Tensor weights; // [N, K] f32: their weights (differentiable in the scores)
};

// logits: [N, E] f32 router logits; selectionBias: [E] f32 (steers the choice only).
Routing routeTokens(const at::Tensor& logits, const at::Tensor& selectionBias, const cuda::RouterParams& params);

// Routing replay: `experts` ([N, K] int64, from another forward) where `replayed` ([N] bool) is
// set, the router's own choice elsewhere; weights from this forward's scores, as the router's are.
Routing replayRouting(const Routing& own, const at::Tensor& experts, const at::Tensor& replayed,
                      const cuda::RouterParams& params);

struct TokenPermutation {
    at::Tensor order;  // [N*K] int64: slot indices (token * K + k) by expert, stable within one
    at::Tensor counts; // [E] int64 on the CPU: slots per expert
};

// experts: [N, K] int64 from routeTokens.
TokenPermutation permuteTokens(const at::Tensor& experts, int64_t numExperts);

// The fused CUDA kernels are used on CUDA tensors only when THINKBENCH_CUDA_KERNELS=1: they have
// not yet been checked against the reference on a GPU (README). Where the CUDA plugin was built
// without nvcc, the ATen reference runs even then.
bool fusedRoutingKernelsEnabled();

} // namespace thinkbench::core
