#include "inference/chunked_prefill.h"

#include "core/model/transformer.h"

#include <torch/torch.h>

#include <algorithm>

namespace thinkbench::inference {

PrefillOutput prefillInChunks(const core::Transformer& model, const at::Tensor& ids, const at::Tensor& mask,
                              core::KvCache& cache)
{
    const int64_t B = ids.size(0), T = ids.size(1);
    const int64_t chunk = model.device().is_cpu() ? std::max<int64_t>(1, kCpuPrefillRows / B) : T;
    PrefillOutput out;
    std::vector<std::vector<at::Tensor>> experts; // [MoE layer] of [B, chunk, K] per chunk
    for (int64_t start = 0; start < T; start += chunk) {
        const int64_t length = std::min(chunk, T - start);
        const core::ForwardOutput step =
            model.forward(ids.narrow(1, start, length),
                          {.cache = &cache,
                           .attentionMask = mask.defined() ? mask.narrow(1, 0, start + length) : at::Tensor(),
                           .lastTokenOnly = true});
        out.logits = step.logits;
        experts.resize(step.routedExperts.size());
        for (size_t l = 0; l < step.routedExperts.size(); ++l)
            experts[l].push_back(step.routedExperts[l].view({B, length, -1}));
    }
    for (const std::vector<at::Tensor>& layer : experts)
        out.routedExperts.push_back(at::cat(layer, 1).view({B * T, -1}));
    return out;
}

} // namespace thinkbench::inference
