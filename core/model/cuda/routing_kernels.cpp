#include "core/model/cuda/routing_kernels.h"

#include "core/model/cuda/launch.h"

#include <ATen/ATen.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

namespace thinkbench::core::cuda {

FusedRouting routeTokensFused(const at::Tensor& logits, const at::Tensor& selectionBias, const RouterParams& params)
{
    TORCH_CHECK(logits.is_cuda() && logits.dim() == 2 && logits.size(1) == params.experts,
                "router logits must be [tokens, ", params.experts, "] on CUDA");
    const c10::cuda::CUDAGuard guard(logits.device());
    const at::Tensor l = logits.to(at::kFloat).contiguous();
    const at::Tensor bias = selectionBias.to(l.options()).contiguous();
    const int64_t tokens = l.size(0);
    FusedRouting out{at::empty({tokens, params.topK}, l.options().dtype(at::kLong)),
                     at::empty({tokens, params.topK}, l.options())};
    launchRouteTokens(l.data_ptr<float>(), bias.data_ptr<float>(), params, tokens, out.experts.data_ptr<int64_t>(),
                      out.weights.data_ptr<float>(), c10::cuda::getCurrentCUDAStream());
    return out;
}

FusedPermutation permuteTokensFused(const at::Tensor& experts, int64_t numExperts)
{
    TORCH_CHECK(experts.is_cuda(), "expert indices must be on CUDA");
    const c10::cuda::CUDAGuard guard(experts.device());
    const at::Tensor flat = experts.reshape({-1}).to(at::kLong).contiguous();
    const int64_t slotCount = flat.size(0);
    const auto options = flat.options();
    const int64_t chunks = chunkCount(slotCount);
    at::Tensor counts = at::empty({chunks, numExperts}, options.dtype(at::kInt));
    at::Tensor starts = at::empty({chunks, numExperts}, options);
    FusedPermutation out{at::empty({slotCount}, options), at::empty({numExperts}, options)};
    launchPermuteTokens(flat.data_ptr<int64_t>(), slotCount, static_cast<int32_t>(numExperts),
                        counts.data_ptr<int32_t>(), starts.data_ptr<int64_t>(), out.order.data_ptr<int64_t>(),
                        out.counts.data_ptr<int64_t>(), c10::cuda::getCurrentCUDAStream());
    return out;
}

} // namespace thinkbench::core::cuda
