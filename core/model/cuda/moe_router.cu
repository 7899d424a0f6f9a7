// The fused MoE router: scores, biased group-limited top-k and weights of a token in one thread
// (routing_steps.h), instead of a dozen ATen ops with their intermediate tensors.

#include "core/error.h"
#include "core/model/cuda/launch.h"

namespace thinkbench::core::cuda {

namespace {

__global__ void routeTokensKernel(const float* logits, const float* bias, RouterParams params, int64_t tokens,
                                  int64_t* experts, float* weights)
{
    const int64_t token = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (token >= tokens)
        return;
    routeToken(logits + token * params.experts, bias, params, experts + token * params.topK,
               weights + token * params.topK);
}

} // namespace

void launchRouteTokens(const float* logits, const float* bias, const RouterParams& params, int64_t tokens,
                       int64_t* experts, float* weights, cudaStream_t stream)
{
    if (tokens == 0)
        return;
    constexpr int threads = 128;
    const auto blocks = static_cast<unsigned>((tokens + threads - 1) / threads);
    routeTokensKernel<<<blocks, threads, 0, stream>>>(logits, bias, params, tokens, experts, weights);
    if (const cudaError_t status = cudaGetLastError(); status != cudaSuccess)
        throw Error("", "moe router kernel", cudaGetErrorString(status));
}

} // namespace thinkbench::core::cuda
