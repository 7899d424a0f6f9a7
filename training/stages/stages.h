#pragma once
// The stages of the R1 pipeline, one file each, all running on the shared StageContext. Each
// returns false when a stop was requested (its progress is checkpointed then); `start` is the step
// a resumed stage continues from.

#include "core/recipe/recipe.h"
#include "training/sft_dataset.h"
#include "training/stage_context.h"

#include <functional>
#include <vector>

namespace thinkbench::training {

// Next-token pretraining of a base model on generated worked solutions (pretrain.cpp).
bool runPretrain(StageContext& ctx, int index, int64_t start);

// Supervised fine-tuning: the cold start on long-CoT worked solutions, or a dataset an earlier
// stage wrote (sft.cpp).
bool runSft(StageContext& ctx, int index, int64_t start);
bool trainOnExamples(StageContext& ctx, int index, int64_t start, const std::vector<Example>& examples,
                     const core::SftSettings& settings);

// The micro-batches of one optimizer step of next-token training.
using StepBatches = std::function<std::vector<Batch>(int64_t step)>;
// Steps [start, total) of next-token training (pretrain and SFT share it): loss, gradients,
// update, metrics and the end-of-step bookkeeping.
bool trainNextToken(StageContext& ctx, int index, int64_t start, int64_t total,
                    const core::OptimizerSettings& optimizer, const StepBatches& batchesOf);

// GRPO: groups of sampled completions per prompt, rule-based rewards, group-relative advantages
// and the clipped policy-gradient update (grpo.cpp).
bool runGrpo(StageContext& ctx, int index, int64_t start);

// Rejection sampling: k samples per prompt from a model, kept when the verifier and the filters
// accept them (rejection_sampling.cpp).
struct SampledDataset {
    std::vector<Example> examples;
    std::vector<core::Problem> problems; // the problem each example answers
    Metrics metrics;                     // rs/generated, rs/kept, rs/accuracy, ...
};
SampledDataset rejectionSample(StageContext& ctx, const core::Transformer& source, int index,
                               const core::RejectionSamplingSettings& settings);
bool runRejectionSampling(StageContext& ctx, int index);

// Distillation: the teacher's accepted traces become the student's SFT data (distill.cpp).
bool runDistill(StageContext& ctx, int index, int64_t start);

// Held-out evaluation of the current model (evaluate.cpp).
bool runEvaluation(StageContext& ctx, int index);

} // namespace thinkbench::training
