#include "core/model/moe.h"

#include "core/model/moe_routing.h"

#include <ATen/ATen.h>

namespace thinkbench::core {

at::Tensor moe(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, const at::Tensor& replayExperts,
               const at::Tensor& replayed, MoeTrace& trace)
{
    const int64_t H = x.size(-1), E = c.n_routed_experts, K = c.num_experts_per_tok;
    const at::Tensor flat = x.reshape({-1, H});
    const at::Tensor logits = at::linear(flat.to(at::kFloat), L.router.to(at::kFloat));
    Routing routing = routeTokens(logits, L.selectionBias, routerParams(c));
    if (replayExperts.defined())
        routing = replayRouting(routing, replayExperts, replayed, routerParams(c));
    trace.scores = routing.scores;
    trace.experts = routing.experts;

    const TokenPermutation permutation = permuteTokens(routing.experts, E);
    const at::Tensor& order = permutation.order;
    const at::Tensor& counts = permutation.counts;
    trace.load = counts.to(at::kFloat);
    const at::Tensor tokenOf = order.div(K, "floor");
    const at::Tensor sortedX = flat.index_select(0, tokenOf);
    const at::Tensor sortedW = routing.weights.reshape({-1}).index_select(0, order);
    std::vector<at::Tensor> outs;
    const auto* count = counts.data_ptr<int64_t>();
    int64_t start = 0;
    for (int64_t e = 0; e < E; ++e) {
        if (count[e] == 0)
            continue;
        const at::Tensor xs = sortedX.narrow(0, start, count[e]);
        outs.push_back(swiglu(xs, L.expertGate[static_cast<size_t>(e)], L.expertUp[static_cast<size_t>(e)],
                              L.expertDown[static_cast<size_t>(e)]));
        start += count[e];
    }
    // Weighted and summed over the top-k in f32, rounded once, as Hugging Face does: rounding
    // each expert's share first tips near-tied routing in the next layer.
    at::Tensor routed = at::zeros(flat.sizes(), flat.options().dtype(at::kFloat));
    if (!outs.empty())
        routed = routed.index_add(0, tokenOf, at::cat(outs, 0).to(at::kFloat) * sortedW.unsqueeze(-1));
    at::Tensor out = routed.to(x.scalar_type()).view(x.sizes());
    if (L.sharedGate.defined())
        out = out + swiglu(x, L.sharedGate, L.sharedUp, L.sharedDown);
    return out;
}

} // namespace thinkbench::core
