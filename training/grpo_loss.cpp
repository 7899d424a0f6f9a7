#include "training/grpo_loss.h"

#include "core/error.h"

#include <torch/torch.h>

namespace thinkbench::training {

at::Tensor groupAdvantages(const at::Tensor& rewards, int64_t groupSize, bool scaleByStd, double eps)
{
    if (groupSize < 1 || rewards.numel() % groupSize != 0)
        throw core::Error("", "group_size", "rewards do not split into groups of " + std::to_string(groupSize));
    const at::Tensor grouped = rewards.to(at::kDouble).view({-1, groupSize});
    at::Tensor advantages = grouped - grouped.mean(1, true);
    if (scaleByStd)
        advantages = advantages / (grouped.std(1, /*unbiased=*/true, true) + eps);
    return advantages.reshape({-1}).to(rewards.scalar_type());
}

GrpoLossOutput grpoLoss(const at::Tensor& logprobs, const at::Tensor& oldLogprobs,
                        const at::Tensor& refLogprobs, const at::Tensor& advantages,
                        const at::Tensor& mask, const GrpoLossConfig& config, BatchTotals totals)
{
    const at::Tensor m = mask.to(logprobs.scalar_type());
    const at::Tensor a = advantages.to(logprobs.scalar_type()).unsqueeze(1);
    const at::Tensor ratio = at::exp(logprobs - oldLogprobs.detach());
    const at::Tensor clipped = ratio.clamp(1.0 - config.epsLow, 1.0 + config.epsHigh);
    at::Tensor perToken = -at::min(ratio * a, clipped * a);
    at::Tensor kl;
    if (config.beta > 0) {
        if (!refLogprobs.defined())
            throw core::Error("", "beta", "a KL penalty needs reference log-probs");
        const at::Tensor diff = refLogprobs.detach() - logprobs;
        kl = at::exp(diff) - diff - 1; // k3: unbiased, always >= 0
        perToken = perToken + config.beta * kl;
    }
    const at::Tensor tokenSums = (perToken * m).sum(1);
    const double tokens = m.sum().item<double>();
    const double batchTokens = totals.tokens > 0 ? totals.tokens : tokens;
    const double batchSequences = totals.sequences > 0 ? totals.sequences : static_cast<double>(logprobs.size(0));
    GrpoLossOutput out;
    switch (config.aggregation) {
    case LossAggregation::TokenMean:
        out.loss = tokenSums.sum() / std::max(1.0, batchTokens);
        break;
    case LossAggregation::SequenceMean:
        out.loss = (tokenSums / m.sum(1).clamp_min(1)).sum() / batchSequences;
        break;
    case LossAggregation::Constant:
        out.loss = tokenSums.sum() / (batchSequences * config.constant);
        break;
    }
    torch::NoGradGuard noGrad;
    const double n = std::max(1.0, tokens);
    out.clipLowFraction = ((ratio < 1.0 - config.epsLow) & (a < 0)).to(m.scalar_type()).mul(m).sum().item<double>() / n;
    out.clipHighFraction = ((ratio > 1.0 + config.epsHigh) & (a > 0)).to(m.scalar_type()).mul(m).sum().item<double>() / n;
    out.meanRatio = (ratio * m).sum().item<double>() / n;
    out.kl = kl.defined() ? (kl * m).sum().item<double>() / n : 0.0;
    return out;
}

void updateSelectionBias(at::Tensor& bias, const at::Tensor& load, double gamma)
{
    torch::NoGradGuard noGrad;
    const at::Tensor l = load.to(bias.device()).to(at::kFloat);
    bias.add_(at::sign(l.mean() - l) * gamma);
}

} // namespace thinkbench::training
