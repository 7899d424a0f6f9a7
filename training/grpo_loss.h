#pragma once
// The GRPO objective (DeepSeekMath / DeepSeek-R1) with the refinements later work added: group-
// relative advantages scaled by the group's or the batch's std or not at all (Dr. GRPO), a ratio to
// the sampling policy per token or per sequence (GSPO) clipped asymmetrically (DAPO's clip-higher)
// and, for negative advantages, from above (dual-clip PPO), or CISPO's clipped importance weight; a
// k3 KL estimate to a frozen reference; an entropy bonus and training on the highest-entropy tokens
// only ("Beyond the 80/20 rule"); and a choice of how token losses are averaged.

#include "core/recipe/stage_settings.h"

#include <ATen/core/Tensor.h>

#include <optional>

namespace thinkbench::training {

// rewards: [groups * groupSize], groups laid out one after another. r - mean of the group, divided
// by the group's std + eps (std with Bessel's correction, as TRL computes it), by the std of the
// batch's rewards + eps, or by nothing. batch: the whole batch's rewards where `rewards` are one
// rank's share of it; undefined: `rewards`.
at::Tensor groupAdvantages(const at::Tensor& rewards, int64_t groupSize, core::AdvantageScaling scaling,
                           const at::Tensor& batch = {}, double eps = 1e-4);

// The entropy at or above which a token is among the `quantile` share (rounded up, at least one)
// of `values` with the highest entropy. values: the trained tokens' entropies, 1-D.
double topEntropyThreshold(const at::Tensor& values, double quantile);

// Whether top_entropy_quantile leaves some tokens out (0 and 1 train on all).
bool trainsTopEntropyOnly(const core::GrpoObjective& objective);

// Truncated importance sampling (TIS, Yao et al. 2025) for the sampler/trainer mismatch: the
// weight min(pi_trainer / pi_sampler, mismatch_cap) per token, or per sequence from the sum of its
// token log-ratios, detached; masked importance sampling (token_mask, sequence_mask) gives the
// ratio where it is at most the cap and 0 where it exceeds it. trainer, sampler: [B, T] log-probs of the sampled tokens
// at the sampling temperature; sampled: 1 where the sampler's log-prob is known (elsewhere the ratio is taken as 1).
// Undefined for MismatchCorrection::None.
at::Tensor mismatchWeights(const at::Tensor& trainer, const at::Tensor& sampler, const at::Tensor& sampled,
                           const core::GrpoObjective& objective);

// The token tensors of one call: [B, T] except advantages [B]. mask is 1 on completion tokens.
struct GrpoTokens {
    at::Tensor logprobs;    // differentiable
    at::Tensor oldLogprobs; // under the sampling policy
    at::Tensor refLogprobs; // under the reference; may be undefined when beta == 0
    at::Tensor advantages;
    at::Tensor mask;
    // The policy's entropy; needed by entropy_coef > 0 (then with gradient) and by
    // top_entropy_quantile, undefined otherwise.
    at::Tensor entropy;
    // Per-token weights of the policy-gradient term (mismatchWeights); undefined: all 1.
    at::Tensor weights;
};

struct GrpoLossOutput {
    at::Tensor loss;                 // scalar, differentiable in logprobs (and entropy)
    double clipLowFraction = 0;      // tokens whose ratio hit 1 - epsLow with a negative advantage
    double clipHighFraction = 0;     // tokens whose ratio hit 1 + epsHigh with a positive advantage
    double clipTwoSidedFraction = 0; // tokens whose ratio passed delta with a negative advantage
    double kl = 0;                   // mean k3 estimate over tokens
};

// The whole batch a micro-batch belongs to. Each aggregation divides by the batch's totals, so the
// losses of a batch's micro-batches add up to the loss of the batch taken at once. 0: the tokens
// and sequences of this call's own tensors. entropyThreshold: the batch's top-entropy threshold
// (topEntropyThreshold); unset: that of this call's tokens.
struct BatchTotals {
    double tokens = 0;
    double sequences = 0;
    std::optional<double> entropyThreshold;
};

// The Constant aggregation needs loss_constant > 0. Tokens left out by top_entropy_quantile still
// count in the aggregation's normaliser, as in the paper. The reported fractions and KL are over
// this call's tokens.
GrpoLossOutput grpoLoss(const GrpoTokens& in, const core::GrpoObjective& objective, BatchTotals totals = {});

} // namespace thinkbench::training
