#include "training/grpo_loss.h"

#include "core/error.h"

#include <torch/torch.h>

#include <cmath>

namespace thinkbench::training {

at::Tensor groupAdvantages(const at::Tensor& rewards, int64_t groupSize, core::AdvantageScaling scaling,
                           const at::Tensor& batch, double eps)
{
    if (groupSize < 1 || rewards.numel() % groupSize != 0)
        throw core::Error("", "group_size", "rewards do not split into groups of " + std::to_string(groupSize));
    const at::Tensor grouped = rewards.to(at::kDouble).view({-1, groupSize});
    at::Tensor advantages = grouped - grouped.mean(1, true);
    if (scaling == core::AdvantageScaling::GroupStd)
        advantages = advantages / (grouped.std(1, /*unbiased=*/true, true) + eps);
    else if (scaling == core::AdvantageScaling::BatchStd)
        advantages = advantages / ((batch.defined() ? batch.to(at::kDouble) : grouped).std(/*unbiased=*/true) + eps);
    return advantages.reshape({-1}).to(rewards.scalar_type());
}

double topEntropyThreshold(const at::Tensor& values, double quantile)
{
    const int64_t n = values.numel();
    if (n == 0)
        return 0;
    // 1e-9 keeps a product like 0.2 * 5 from rounding up to 2 tokens.
    const auto k = std::clamp<int64_t>(int64_t(std::ceil(quantile * double(n) - 1e-9)), 1, n);
    return std::get<0>(values.detach().reshape({-1}).to(at::kDouble).kthvalue(n - k + 1)).item<double>();
}

bool trainsTopEntropyOnly(const core::GrpoObjective& objective)
{
    return objective.top_entropy_quantile > 0 && objective.top_entropy_quantile < 1;
}

at::Tensor mismatchWeights(const at::Tensor& trainer, const at::Tensor& sampler, const at::Tensor& sampled,
                           const core::GrpoObjective& objective)
{
    if (objective.mismatch_correction == core::MismatchCorrection::None)
        return {};
    torch::NoGradGuard noGrad;
    using enum core::MismatchCorrection;
    const auto kind = objective.mismatch_correction;
    at::Tensor logRatio = (trainer.detach() - sampler) * sampled;
    if (kind == Sequence || kind == SequenceMask)
        logRatio = logRatio.sum(1, true).expand_as(logRatio);
    // Capped in log space: a long sequence's summed log-ratio could overflow exp.
    const double logCap = std::log(objective.mismatch_cap);
    const at::Tensor weight = at::exp(logRatio.clamp_max(logCap));
    if (kind == TokenMask || kind == SequenceMask)
        return weight * (logRatio <= logCap);
    return weight;
}

namespace {

const at::Tensor& needEntropy(const GrpoTokens& in, const char* option)
{
    if (!in.entropy.defined())
        throw core::Error("", option, "needs the policy's entropy at each token");
    return in.entropy;
}

} // namespace

GrpoLossOutput grpoLoss(const GrpoTokens& in, const core::GrpoObjective& objective, BatchTotals totals)
{
    const at::Tensor& logprobs = in.logprobs;
    const at::Tensor m = in.mask.to(logprobs.scalar_type());
    const at::Tensor a = in.advantages.to(logprobs.scalar_type()).unsqueeze(1);
    at::Tensor logRatio = logprobs - in.oldLogprobs.detach();
    if (objective.importance_ratio == core::ImportanceLevel::Sequence) // GSPO: length-normalised
        logRatio = ((logRatio * m).sum(1, true) / m.sum(1, true).clamp_min(1)).expand_as(logRatio);
    const at::Tensor ratio = at::exp(logRatio);
    const at::Tensor clipped = ratio.clamp(1.0 - objective.eps_low, 1.0 + objective.eps_high);
    at::Tensor perToken;
    if (objective.policy_loss == core::PolicyLoss::Cispo) {
        // CISPO (MiniMax-M1): the clipped weight is a constant, so clipped tokens still pass a
        // REINFORCE gradient A * grad log p instead of none.
        perToken = -clipped.detach() * a * logprobs;
    } else {
        perToken = -at::min(ratio * a, clipped * a);
        if (objective.delta > 0) // dual-clip PPO: a negative advantage's term is at least delta * A
            perToken = at::where(a < 0, at::min(perToken, -objective.delta * a), perToken);
    }
    // The correction reweighs the policy-gradient estimate only: the KL and entropy terms are
    // regularisers, not expectations the mismatch biases in a way that matters.
    if (in.weights.defined())
        perToken = perToken * in.weights.detach().to(perToken.scalar_type());
    at::Tensor kl;
    if (objective.beta > 0) {
        if (!in.refLogprobs.defined())
            throw core::Error("", "beta", "a KL penalty needs reference log-probs");
        const at::Tensor diff = in.refLogprobs.detach() - logprobs;
        kl = at::exp(diff) - diff - 1; // k3: unbiased, always >= 0
        perToken = perToken + objective.beta * kl;
    }
    if (objective.entropy_coef > 0)
        perToken = perToken - objective.entropy_coef * needEntropy(in, "entropy_coef");
    if (trainsTopEntropyOnly(objective)) {
        // "Beyond the 80/20 rule": the high-entropy forking tokens carry the learning signal.
        const at::Tensor entropy = needEntropy(in, "top_entropy_quantile").detach();
        const double threshold = totals.entropyThreshold ? *totals.entropyThreshold
                                                         : topEntropyThreshold(entropy.masked_select(in.mask > 0),
                                                                               objective.top_entropy_quantile);
        perToken = perToken * (entropy >= threshold).to(perToken.scalar_type());
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
    const auto share = [&](const at::Tensor& hit) { return hit.to(m.scalar_type()).mul(m).sum().item<double>() / n; };
    out.clipLowFraction = share((ratio < 1.0 - objective.eps_low) & (a < 0));
    out.clipHighFraction = share((ratio > 1.0 + objective.eps_high) & (a > 0));
    if (objective.delta > 0 && objective.policy_loss == core::PolicyLoss::Clipped)
        out.clipTwoSidedFraction = share((ratio > objective.delta) & (a < 0));
    out.kl = kl.defined() ? (kl * m).sum().item<double>() / n : 0.0;
    return out;
}

} // namespace thinkbench::training
