#pragma once
// The fused routing kernels on CUDA tensors (built only with CUDA; see moe_routing.h for when
// they run). Results equal moe_routing.cpp's ATen reference.

#include "core/model/cuda/routing_steps.h"

#include <ATen/core/Tensor.h>

namespace thinkbench::core::cuda {

struct FusedRouting {
    at::Tensor experts; // [N, K] int64
    at::Tensor weights; // [N, K] f32
};
FusedRouting routeTokensFused(const at::Tensor& logits, const at::Tensor& selectionBias, const RouterParams& params);

struct FusedPermutation {
    at::Tensor order;  // [N*K] int64
    at::Tensor counts; // [E] int64, on the device
};
FusedPermutation permuteTokensFused(const at::Tensor& experts, int64_t numExperts);

} // namespace thinkbench::core::cuda
