#include "training/grpo_loss.h"

#include "core/error.h"

#include <torch/torch.h>

namespace thinkbench::training {

at::Tensor groupAdvantages(const at::Tensor& rewards, int64_t groupSize, core::AdvantageScaling scaling, double eps)
{
    if (groupSize < 1 || rewards.numel() % groupSize != 0)
        throw core::Error("", "group_size", "rewards do not split into groups of " + std::to_string(groupSize));
    const at::Tensor grouped = rewards.to(at::kDouble).view({-1, groupSize});
    at::Tensor advantages = grouped - grouped.mean(1, true);
    if (scaling == core::AdvantageScaling::GroupStd)
        advantages = advantages / (grouped.std(1, /*unbiased=*/true, true) + eps);
    return advantages.reshape({-1}).to(rewards.scalar_type());
}

GrpoLossOutput grpoLoss(const at::Tensor& logprobs, const at::Tensor& oldLogprobs, const at::Tensor& refLogprobs,
                        const at::Tensor& advantages, const at::Tensor& mask, const core::GrpoObjective& objective,
                        BatchTotals totals)
{
    const at::Tensor m = mask.to(logprobs.scalar_type());
    const at::Tensor a = advantages.to(logprobs.scalar_type()).unsqueeze(1);
    const at::Tensor ratio = at::exp(logprobs - oldLogprobs.detach());
    const at::Tensor clipped = ratio.clamp(1.0 - objective.eps_low, 1.0 + objective.eps_high);
    at::Tensor perToken = -at::min(ratio * a, clipped * a);
    at::Tensor kl;
    if (objective.beta > 0) {
        if (!refLogprobs.defined())
            throw core::Error("", "beta", "a KL penalty needs reference log-probs");
        const at::Tensor diff = refLogprobs.detach() - logprobs;
        kl = at::exp(diff) - diff - 1; // k3: unbiased, always >= 0
        perToken = perToken + objective.beta * kl;
    }
    const at::Tensor tokenSums = (perToken * m).sum(1);
    const double tokens = m.sum().item<double>();
    const double batchTokens = totals.tokens > 0 ? totals.tokens : tokens;
    const double batchSequences = totals.sequences > 0 ? totals.sequences : static_cast<double>(logprobs.size(0));
    GrpoLossOutput out;
    switch (objective.loss_aggregation) {
    case core::LossAggregation::TokenMean:
        out.loss = tokenSums.sum() / std::max(1.0, batchTokens);
        break;
    case core::LossAggregation::SequenceMean:
        out.loss = (tokenSums / m.sum(1).clamp_min(1)).sum() / batchSequences;
        break;
    case core::LossAggregation::Constant:
        if (objective.loss_constant <= 0)
            throw core::Error("", "loss_constant", "constant aggregation needs a positive loss_constant");
        out.loss = tokenSums.sum() / (batchSequences * objective.loss_constant);
        break;
    }
    torch::NoGradGuard noGrad;
    const double n = std::max(1.0, tokens);
    out.clipLowFraction =
        ((ratio < 1.0 - objective.eps_low) & (a < 0)).to(m.scalar_type()).mul(m).sum().item<double>() / n;
    out.clipHighFraction =
        ((ratio > 1.0 + objective.eps_high) & (a > 0)).to(m.scalar_type()).mul(m).sum().item<double>() / n;
    out.kl = kl.defined() ? (kl * m).sum().item<double>() / n : 0.0;
    return out;
}

} // namespace thinkbench::training
