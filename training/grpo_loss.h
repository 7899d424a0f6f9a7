#pragma once
// The GRPO objective (DeepSeekMath / DeepSeek-R1) with the refinements later work added: group-
// relative advantages (optionally without the std, Dr. GRPO), a per-token ratio to the sampling
// policy clipped asymmetrically (DAPO's clip-higher), a k3 KL estimate to a frozen reference, and
// a choice of how token losses are averaged.

#include "core/recipe/stage_settings.h"

#include <ATen/core/Tensor.h>

namespace thinkbench::training {

// rewards: [groups * groupSize], groups laid out one after another. (r - mean) / (std + eps)
// within each group (std with Bessel's correction, as TRL computes it), or r - mean.
at::Tensor groupAdvantages(const at::Tensor& rewards, int64_t groupSize, core::AdvantageScaling scaling,
                           double eps = 1e-4);

struct GrpoLossOutput {
    at::Tensor loss;             // scalar, differentiable in logprobs
    double clipLowFraction = 0;  // tokens whose ratio hit 1 - epsLow with a negative advantage
    double clipHighFraction = 0; // tokens whose ratio hit 1 + epsHigh with a positive advantage
    double kl = 0;               // mean k3 estimate over tokens
};

// The whole batch a micro-batch belongs to. Each aggregation divides by the batch's totals, so the
// losses of a batch's micro-batches add up to the loss of the batch taken at once. 0: the tokens
// and sequences of this call's own tensors.
struct BatchTotals {
    double tokens = 0;
    double sequences = 0;
};

// logprobs, oldLogprobs, refLogprobs, mask: [B, T] (mask 1 on completion tokens); advantages: [B].
// refLogprobs may be undefined when beta == 0; the Constant aggregation needs loss_constant > 0. The reported fractions
// and KL are over this call's tokens.
GrpoLossOutput grpoLoss(const at::Tensor& logprobs, const at::Tensor& oldLogprobs, const at::Tensor& refLogprobs,
                        const at::Tensor& advantages, const at::Tensor& mask, const core::GrpoObjective& objective,
                        BatchTotals totals = {});

} // namespace thinkbench::training
