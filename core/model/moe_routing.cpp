#include "core/model/moe_routing.h"

#include "core/cuda/cuda_plugin.h"
#include "core/cuda/cuda_support.h"
#include "core/error.h"

#include <ATen/ATen.h>

#include <cstdlib>

namespace thinkbench::core {

cuda::RouterParams routerParams(const ModelConfig& c)
{
    if (c.num_experts_per_tok > cuda::kMaxTopK || c.n_group > cuda::kMaxGroups)
        throw Error("config.json", "num_experts_per_tok",
                    "at most " + std::to_string(cuda::kMaxTopK) + " experts per token and " +
                        std::to_string(cuda::kMaxGroups) + " groups are supported");
    cuda::RouterParams p;
    p.experts = c.n_routed_experts;
    p.topK = c.num_experts_per_tok;
    p.groups = c.n_group;
    p.keptGroups = c.topk_group;
    p.softmax = c.scoring_func == ScoringFunction::Softmax;
    p.normalize = c.norm_topk_prob;
    p.scale = static_cast<float>(c.routed_scaling_factor);
    return p;
}

bool fusedRoutingKernelsEnabled()
{
    static const bool enabled = [] {
        const char* flag = std::getenv("THINKBENCH_CUDA_KERNELS");
        return flag && std::string(flag) == "1";
    }();
    return enabled;
}

namespace {

// A CUDA tensor means the plugin is loaded: LibTorch's CUDA half comes with it.
bool useFusedKernels(const at::Tensor& t)
{
    return t.is_cuda() && fusedRoutingKernelsEnabled() && cudaPlugin().routeTokens;
}

// Weights from the unbiased scores of the chosen experts, renormalised and scaled.
at::Tensor expertWeights(const at::Tensor& scores, const at::Tensor& experts, const cuda::RouterParams& p)
{
    at::Tensor weights = scores.gather(1, experts);
    if (p.normalize)
        weights = weights / (weights.sum(-1, true) + 1e-20);
    return weights * p.scale;
}

} // namespace

Routing routeTokens(const at::Tensor& logits, const at::Tensor& selectionBias, const cuda::RouterParams& p)
{
    Routing r;
    r.scores = p.softmax ? at::softmax(logits, -1) : at::sigmoid(logits);
    if (useFusedKernels(logits)) {
        cuda::FusedRouting fused = cudaPlugin().routeTokens(logits.detach(), selectionBias, p);
        r.experts = fused.experts;
        // The kernel's weights carry no gradient; training takes them from the scores again.
        r.weights = r.scores.requires_grad() ? expertWeights(r.scores, r.experts, p) : fused.weights;
        return r;
    }
    const int64_t N = logits.size(0);
    at::Tensor choice = r.scores.detach() + selectionBias; // the bias steers selection only
    if (p.groups > 1) {
        const int64_t perGroup = p.experts / p.groups;
        const at::Tensor groupScores =
            std::get<0>(choice.view({N, p.groups, perGroup}).topk(std::min<int64_t>(2, perGroup), -1)).sum(-1);
        const at::Tensor groupIdx = std::get<1>(groupScores.topk(p.keptGroups, -1));
        const at::Tensor groupMask = at::zeros_like(groupScores).scatter_(1, groupIdx, 1.0);
        const at::Tensor expertMask = groupMask.unsqueeze(-1).expand({N, p.groups, perGroup}).reshape({N, p.experts});
        choice = choice.masked_fill(expertMask == 0, 0.0); // as Hugging Face: 0, not -inf
    }
    r.experts = std::get<1>(choice.topk(p.topK, -1));
    r.weights = expertWeights(r.scores, r.experts, p);
    return r;
}

Routing replayRouting(const Routing& own, const at::Tensor& experts, const at::Tensor& replayed,
                      const cuda::RouterParams& p)
{
    if (experts.sizes() != own.experts.sizes() || replayed.numel() != own.experts.size(0))
        throw Error("", "routing replay",
                    "recorded experts " + std::to_string(experts.size(0)) + "x" + std::to_string(experts.size(-1)) +
                        " do not fit this forward's " + std::to_string(own.experts.size(0)) + " tokens x top-" +
                        std::to_string(own.experts.size(1)));
    Routing r;
    r.scores = own.scores;
    r.experts = at::where(replayed.to(own.experts.device()).to(at::kBool).unsqueeze(1),
                          experts.to(own.experts.device()), own.experts);
    r.weights = expertWeights(r.scores, r.experts, p);
    return r;
}

TokenPermutation permuteTokens(const at::Tensor& experts, int64_t numExperts)
{
    if (useFusedKernels(experts)) {
        cuda::FusedPermutation fused = cudaPlugin().permuteTokens(experts, numExperts);
        return {fused.order, fused.counts.to(at::kCPU)};
    }
    const at::Tensor flat = experts.reshape({-1});
    return {flat.argsort(/*stable=*/true), at::bincount(flat, {}, numExperts).to(at::kCPU)};
}

} // namespace thinkbench::core
