#include "training/token_batch.h"

#include "core/model/transformer.h"

#include <torch/torch.h>

#include <algorithm>

namespace thinkbench::training {

Batch makeBatch(const std::vector<std::vector<int32_t>>& seqs, const std::vector<size_t>& lossStart, int32_t pad,
                c10::Device device)
{
    size_t width = 2;
    for (const auto& s : seqs)
        width = std::max(width, s.size());
    const int64_t B = int64_t(seqs.size()), T = int64_t(width);
    std::vector<int64_t> ids(size_t(B * T), pad);
    std::vector<float> mask(size_t(B * (T - 1)), 0.0f);
    Batch batch;
    for (int64_t b = 0; b < B; ++b) {
        for (size_t t = 0; t < seqs[b].size(); ++t)
            ids[size_t(b * T) + t] = seqs[b][t];
        for (size_t t = std::max<size_t>(lossStart[b], 1); t < seqs[b].size(); ++t) {
            mask[size_t(b * (T - 1)) + t - 1] = 1.0f;
            ++batch.tokens;
        }
    }
    batch.ids = torch::tensor(ids, torch::kInt64).view({B, T}).to(device);
    batch.mask = torch::tensor(mask, torch::kFloat).view({B, T - 1}).to(device);
    return batch;
}

Scored scoreTokens(const core::Transformer& model, const at::Tensor& ids, const ScoreOptions& options)
{
    auto out = model.forward(ids, {.replay = options.replay});
    const double samplingTemperature = options.samplingTemperature;
    const int64_t T = ids.size(1);
    const at::Tensor logits = out.logits.slice(1, 0, T - 1).to(at::kFloat);
    const at::Tensor targets = ids.slice(1, 1, T).unsqueeze(-1);
    const at::Tensor logp = at::log_softmax(logits, -1);
    Scored s;
    s.logprobs = logp.gather(-1, targets).squeeze(-1);
    if (samplingTemperature > 0) {
        torch::NoGradGuard noGrad;
        // The same operations as the sampler (f32 logits divided by the temperature), so only the
        // forward's numerics can differ.
        s.samplingLogprobs = samplingTemperature == 1
                                 ? s.logprobs.detach()
                                 : at::log_softmax(logits / samplingTemperature, -1).gather(-1, targets).squeeze(-1);
    }
    if (options.entropy) {
        torch::AutoGradMode gradient(options.entropyGradient && torch::GradMode::is_enabled());
        s.entropy = -(logp.exp() * logp).sum(-1);
    }
    s.expertLoad = out.expertLoad;
    s.routerScores = std::move(out.routerScores);
    s.routedExperts = std::move(out.routedExperts);
    return s;
}

double maskedMean(const at::Tensor& values, const at::Tensor& mask)
{
    const double n = mask.sum().item<double>();
    return n > 0 ? (values.detach() * mask).sum().item<double>() / n : 0.0;
}

} // namespace thinkbench::training
