#include "inference/chunked_prefill.h"

#include "core/model/transformer.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

namespace thinkbench::inference {

int64_t prefillRows(const core::Transformer& model)
{
    if (!model.device().is_cpu())
        return std::numeric_limits<int64_t>::max();
    const core::ModelConfig& c = model.config();
    const int64_t widest = std::max<int64_t>(1, std::max(c.intermediate_size, c.moe_intermediate_size));
    return kCpuPrefillBytes / (widest * static_cast<int64_t>(sizeof(float)));
}

PrefillOutput prefillInChunks(const core::Transformer& model, const at::Tensor& ids, const at::Tensor& mask,
                              core::KvCache& cache, int64_t rows)
{
    const int64_t B = ids.size(0), T = ids.size(1);
    // Chunks of even length: a short last one would fall below the GEMM's rows (quant::kGemmRows).
    // Ceilings as (n - 1) / d + 1: a GPU's rows are INT64_MAX, and T + most - 1 overflowed to a
    // chunk count of 0 and a division by it (SIGFPE in every generation on CUDA).
    const int64_t most = std::max<int64_t>(1, rows / std::max<int64_t>(1, B));
    const int64_t chunks = (T - 1) / most + 1;
    const int64_t chunk = (T - 1) / chunks + 1;
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
