#pragma once
// The GRPO objective (DeepSeekMath / DeepSeek-R1) with the refinements later work added: group-
// relative advantages (optionally without the std, Dr. GRPO), a per-token ratio to the sampling
// policy clipped asymmetrically (DAPO's clip-higher), a k3 KL estimate to a frozen reference, and
// a choice of how token losses are averaged.

#include <ATen/core/Tensor.h>

namespace thinkbench::training {

enum class LossAggregation {
    TokenMean,    // sum over all tokens / number of tokens (DAPO)
    SequenceMean, // mean over sequences of each sequence's token mean (GRPO paper)
    Constant,     // sum over all tokens / (sequences * constant) (Dr. GRPO)
};

struct GrpoLossConfig {
    double epsLow = 0.2;
    double epsHigh = 0.28;
    double beta = 0.001; // KL coefficient; 0: no reference log-probs needed
    LossAggregation aggregation = LossAggregation::TokenMean;
    double constant = 256; // Constant aggregation: usually the generation limit
};

// rewards: [groups * groupSize], groups laid out one after another. (r - mean) / (std + eps)
// within each group (std with Bessel's correction, as TRL computes it), or r - mean.
at::Tensor groupAdvantages(const at::Tensor& rewards, int64_t groupSize, bool scaleByStd,
                           double eps = 1e-4);

struct GrpoLossOutput {
    at::Tensor loss; // scalar, differentiable in logprobs
    double clipLowFraction = 0;  // tokens whose ratio hit 1 - epsLow with a negative advantage
    double clipHighFraction = 0; // tokens whose ratio hit 1 + epsHigh with a positive advantage
    double kl = 0;               // mean k3 estimate over tokens
    double meanRatio = 0;
};

// The whole batch a micro-batch belongs to. Each aggregation divides by the batch's totals, so the
// losses of a batch's micro-batches add up to the loss of the batch taken at once. 0: the tokens
// and sequences of this call's own tensors.
struct BatchTotals {
    double tokens = 0;
    double sequences = 0;
};

// logprobs, oldLogprobs, refLogprobs, mask: [B, T] (mask 1 on completion tokens); advantages: [B].
// refLogprobs may be undefined when beta == 0. The reported fractions and KL are over this call's
// tokens.
GrpoLossOutput grpoLoss(const at::Tensor& logprobs, const at::Tensor& oldLogprobs,
                        const at::Tensor& refLogprobs, const at::Tensor& advantages,
                        const at::Tensor& mask, const GrpoLossConfig& config, BatchTotals totals = {});

// DeepSeek-V3's auxiliary-loss-free balancing: after a step, each expert's selection bias moves by
// gamma towards balance (up when it got fewer tokens than the mean, down when more).
void updateSelectionBias(at::Tensor& bias, const at::Tensor& load, double gamma);

} // namespace thinkbench::training
