#pragma once
// Launchers of the routing kernels, callable from host C++ without torch or nvcc: raw device
// pointers and the stream to run on. Errors of the launch are thrown as core::Error.

#include "core/model/cuda/routing_steps.h"

#include <cuda_runtime_api.h>

namespace thinkbench::core::cuda {

// logits [tokens, experts] f32, bias [experts] f32 → experts [tokens, topK] int64, weights
// [tokens, topK] f32; one thread per token.
void launchRouteTokens(const float* logits, const float* bias, const RouterParams& params, int64_t tokens,
                       int64_t* experts, float* weights, cudaStream_t stream);

// experts [slots] int64 → order [slots] int64, expertCounts [numExperts] int64. Scratch: counts
// [chunkCount(slots), numExperts] int32 and starts of the same shape int64.
void launchPermuteTokens(const int64_t* experts, int64_t slotCount, int32_t numExperts, int32_t* counts,
                         int64_t* starts, int64_t* order, int64_t* expertCounts, cudaStream_t stream);

} // namespace thinkbench::core::cuda
