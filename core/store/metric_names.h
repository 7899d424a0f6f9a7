#pragma once
// The metric keys the engine writes into the run store and the panels read back. One name each,
// shared by both sides, so renaming a metric cannot silently empty a curve or a column.
//
// Keys are "group/name" where a group exists; the curves panel groups plots by the part before
// the first '/'. Per-component rewards are kRewardPrefix + the component ("reward/accuracy").

#include <string>
#include <string_view>

namespace thinkbench::core::metric {

// Every training step.
inline constexpr std::string_view kLoss = "loss";
inline constexpr std::string_view kLearningRate = "lr";
inline constexpr std::string_view kGradNorm = "grad_norm";
inline constexpr std::string_view kStepSeconds = "time/step";
inline constexpr std::string_view kTokensPerSecond = "tokens_per_s";
// Model FLOPs utilisation: achieved training FLOP/s over the device's peak (nanoGPT's MFU).
inline constexpr std::string_view kMfu = "mfu";

// GRPO.
inline constexpr std::string_view kRewardPrefix = "reward/";
inline constexpr std::string_view kRewardMean = "reward/mean";
inline constexpr std::string_view kRewardStd = "reward/std";
inline constexpr std::string_view kAccuracy = "accuracy";
inline constexpr std::string_view kFormatRate = "format_rate";
inline constexpr std::string_view kAdvantageStd = "advantage_std";
inline constexpr std::string_view kZeroAdvantageGroups = "zero_adv_groups";
inline constexpr std::string_view kLengthMean = "length/mean";
inline constexpr std::string_view kLengthMax = "length/max";
inline constexpr std::string_view kLengthClipped = "length/clipped";
inline constexpr std::string_view kReflectionRate = "reflection_rate";
inline constexpr std::string_view kKl = "kl";
inline constexpr std::string_view kClipLow = "clip/low";
inline constexpr std::string_view kClipHigh = "clip/high";
inline constexpr std::string_view kClipTwoSided = "clip/two_sided"; // dual-clip cap hit (delta > 0)
inline constexpr std::string_view kEntropy = "entropy";
inline constexpr std::string_view kGenerationSeconds = "time/generation";
inline constexpr std::string_view kUpdateSeconds = "time/update";

// Distributed runs, written by rank 0 every step: each rank's own training throughput
// (kDistRankPrefix + "<r>/tokens_per_s"), and the seconds rank 0 spent in collectives.
inline constexpr std::string_view kDistRankPrefix = "dist/rank";
inline constexpr std::string_view kDistCommSeconds = "dist/comm_seconds";
inline std::string distRankTokensPerSecond(int rank)
{
    return std::string(kDistRankPrefix) + std::to_string(rank) + "/tokens_per_s";
}

// Mixture-of-Experts load per layer: kMoePrefix + "layerN/max_min" and "/cv".
inline constexpr std::string_view kMoePrefix = "moe/";

// Rejection sampling.
inline constexpr std::string_view kRsGenerated = "rs/generated";
inline constexpr std::string_view kRsKept = "rs/kept";
inline constexpr std::string_view kRsAccuracy = "rs/accuracy";
inline constexpr std::string_view kRsAcceptRate = "rs/accept_rate";
inline constexpr std::string_view kRsPromptsCovered = "rs/prompts_covered";

// Evaluations: during a stage (every eval_every steps) and of eval stages.
inline constexpr std::string_view kHeldOutPass1 = "heldout/pass1";
inline constexpr std::string_view kEvalPass1 = "eval/pass1";
inline constexpr std::string_view kEvalConsAtK = "eval/cons_at_k";
inline constexpr std::string_view kEvalPassAtK = "eval/pass_at_k";
inline constexpr std::string_view kEvalMeanLength = "eval/mean_length";
inline constexpr std::string_view kEvalFormatRate = "eval/format_rate";
// key + kStderrSuffix: the standard error of key's value at the same step (pass@1 over problems
// and samples), which the curves panel draws as a band around key's curve.
inline constexpr std::string_view kStderrSuffix = "_stderr";
inline constexpr std::string_view kHeldOutPass1Stderr = "heldout/pass1_stderr";
inline constexpr std::string_view kEvalPass1Stderr = "eval/pass1_stderr";

inline std::string key(std::string_view prefix, std::string_view name)
{
    return std::string(prefix) + std::string(name);
}

// Groups without a prefix constant above, by which the curves panel files keys into families.
inline constexpr std::string_view kLengthPrefix = "length/";
inline constexpr std::string_view kClipPrefix = "clip/";
inline constexpr std::string_view kHeldOutPrefix = "heldout/";
inline constexpr std::string_view kEvalPrefix = "eval/";

// Sampler/trainer mismatch on a GRPO step's sampled completion tokens: the mean k3 estimate of
// KL(sampler || trainer) and the largest |log pi_trainer - log pi_sampler|.
inline constexpr std::string_view kSamplerKl = "mismatch/kl";
inline constexpr std::string_view kSamplerMaxLogRatio = "mismatch/max_log_ratio";
// MoE: the share of routing decisions (sampled position x MoE layer) whose experts in the training
// forward differ from the generator's; 0 with routing replay.
inline constexpr std::string_view kRoutingMismatch = "mismatch/routing";

} // namespace thinkbench::core::metric
