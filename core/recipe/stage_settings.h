#pragma once
// The settings of each kind of stage, as a recipe's [[stages]] table sets them and the training
// code reads them: one struct per kind, one field per setting. Each struct lists its fields once,
// in `visit` (core/recipe/recipe.cpp), and that list drives parsing, validation, defaults and
// writing back to TOML. Choices are enums with one name table each (core/enum_names.h).

#include "core/enum_names.h"
#include "core/tasks/rewards/rewards.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace thinkbench::core {

enum class LrSchedule { Cosine, Constant };
inline constexpr EnumName<LrSchedule> kLrScheduleNames[] = {{LrSchedule::Cosine, "cosine"},
                                                            {LrSchedule::Constant, "constant"}};
constexpr std::span<const EnumName<LrSchedule>> enumNames(LrSchedule)
{
    return kLrScheduleNames;
}

// How GRPO scales rewards centred on their group's mean: by the group's std (GRPO), by the whole
// batch's std (less noisy for small groups) or not at all (Dr. GRPO).
enum class AdvantageScaling { GroupStd, BatchStd, None };
inline constexpr EnumName<AdvantageScaling> kAdvantageScalingNames[] = {
    {AdvantageScaling::GroupStd, "std"}, {AdvantageScaling::BatchStd, "batch"}, {AdvantageScaling::None, "none"}};
constexpr std::span<const EnumName<AdvantageScaling>> enumNames(AdvantageScaling)
{
    return kAdvantageScalingNames;
}

// How token losses are averaged into the batch loss.
enum class LossAggregation {
    TokenMean,    // sum over all tokens / number of tokens (DAPO)
    SequenceMean, // mean over sequences of each sequence's token mean (GRPO paper)
    Constant,     // sum over all tokens / (sequences * constant) (Dr. GRPO)
};
inline constexpr EnumName<LossAggregation> kLossAggregationNames[] = {{LossAggregation::TokenMean, "token-mean"},
                                                                      {LossAggregation::SequenceMean, "sequence-mean"},
                                                                      {LossAggregation::Constant, "constant"}};
constexpr std::span<const EnumName<LossAggregation>> enumNames(LossAggregation)
{
    return kLossAggregationNames;
}

// Where the importance ratio to the sampling policy is taken: per token (GRPO, PPO) or once per
// response as the geometric mean of its token ratios (GSPO), which matches sequence-level rewards.
enum class ImportanceLevel { Token, Sequence };
inline constexpr EnumName<ImportanceLevel> kImportanceLevelNames[] = {{ImportanceLevel::Token, "token"},
                                                                      {ImportanceLevel::Sequence, "sequence"}};
constexpr std::span<const EnumName<ImportanceLevel>> enumNames(ImportanceLevel)
{
    return kImportanceLevelNames;
}

// The policy-gradient term: PPO's clipped surrogate, where clipped tokens get no gradient, or
// CISPO (MiniMax-M1), which clips the importance weight instead and keeps every token's gradient.
enum class PolicyLoss { Clipped, Cispo };
inline constexpr EnumName<PolicyLoss> kPolicyLossNames[] = {{PolicyLoss::Clipped, "clipped"},
                                                            {PolicyLoss::Cispo, "cispo"}};
constexpr std::span<const EnumName<PolicyLoss>> enumNames(PolicyLoss)
{
    return kPolicyLossNames;
}

// Correction for the sampler/trainer mismatch ("Your Efficient RL Framework Secretly Brings You
// Off-Policy RL Training", Yao et al. 2025): the generator's numerics (KV cache, its own kernels)
// differ from the training forward's, so samples come from a slightly different policy.
// Truncated importance sampling weighs the policy-gradient term by min(pi_trainer / pi_sampler,
// cap), per token or once per sequence from the product of its token ratios; masked importance
// sampling keeps the ratio where it is at most the cap and drops the token (or sequence) where it
// is not, instead of letting a token the sampler and trainer disagree on train at the cap.
enum class MismatchCorrection { None, Token, Sequence, TokenMask, SequenceMask };
inline constexpr EnumName<MismatchCorrection> kMismatchCorrectionNames[] = {
    {MismatchCorrection::None, "none"},
    {MismatchCorrection::Token, "token"},
    {MismatchCorrection::Sequence, "sequence"},
    {MismatchCorrection::TokenMask, "token_mask"},
    {MismatchCorrection::SequenceMask, "sequence_mask"}};
constexpr std::span<const EnumName<MismatchCorrection>> enumNames(MismatchCorrection)
{
    return kMismatchCorrectionNames;
}

// The GRPO objective (DeepSeekMath / DeepSeek-R1) with DAPO's clip-higher and overlong filtering,
// Dr. GRPO's unscaled advantages and constant normaliser, GSPO, dual clip, CISPO and entropy
// control; training/grpo_loss computes it. Every default keeps the plain GRPO loss. Its fields sit
// in the stage's own table.
struct GrpoObjective {
    double beta = 0.001; // KL coefficient; 0 keeps no reference model
    double eps_low = 0.2;
    double eps_high = 0.28; // DAPO clip-higher
    AdvantageScaling scale_rewards = AdvantageScaling::GroupStd;
    LossAggregation loss_aggregation = LossAggregation::TokenMean;
    double loss_constant = 0; // constant aggregation normaliser; 0: max_new_tokens
    ImportanceLevel importance_ratio = ImportanceLevel::Token;
    PolicyLoss policy_loss = PolicyLoss::Clipped;
    // Dual-clip PPO: for negative advantages the ratio counts at most delta (> 1), so one token
    // far off the sampling policy cannot dominate the step; 0 disables.
    double delta = 0;
    bool mask_truncated = false;     // completions cut at max_new_tokens get no loss (DAPO)
    double entropy_coef = 0;         // entropy bonus: loss -= coef * entropy of the trained tokens
    double top_entropy_quantile = 0; // train only this share of highest-entropy tokens; 0 or 1: all
    MismatchCorrection mismatch_correction = MismatchCorrection::None;
    double mismatch_cap = 2.0; // the truncated importance weight's upper bound
    // MoE: the training forwards route each sampled position to the experts the sampler chose.
    bool routing_replay = false;

    template <typename V> void visit(V& v);
};

// Optimiser and schedule of a training stage.
struct OptimizerSettings {
    double lr = 1e-3;
    int warmup_steps = 0;
    LrSchedule schedule = LrSchedule::Cosine;
    double min_lr_ratio = 0.1; // cosine decays to lr * min_lr_ratio
    double weight_decay = 0.0;
    double beta1 = 0.9;
    double beta2 = 0.95;
    double grad_clip = 1.0; // 0 disables clipping
    int grad_accumulation = 1;

    template <typename V> void visit(V& v);
};

struct PretrainSettings {
    int steps = 300;
    int batch_size = 16;
    int seq_len = 256;
    int corpus_size = 4000; // generated worked solutions
    // Share of solutions inside the chat template instead of as plain text. A micro base has then
    // met the prompt format, which R1-Zero (RL with no SFT) needs at this scale; a small share
    // keeps most of each window for worked solutions rather than the template's preamble.
    double templated = 0.0;
    // Share of corpus solutions that state the result without working (TraceStyle::answerOnlyRate),
    // as answer-only text appears in a real base model's corpus.
    double answer_only = 0.0;
    // config.json fields of a new model to pretrain; empty: the recipe's [model.config]
    nlohmann::json model = nlohmann::json::object();
    OptimizerSettings optimizer{.lr = 3e-3, .warmup_steps = 20};

    template <typename V> void visit(V& v);
};

struct SftSettings {
    // A JSONL file of {prompt, response}, "stage:NAME" for a dataset an earlier stage wrote, or
    // empty for generated long-CoT worked solutions (the cold start).
    std::string dataset;
    int examples = 1000; // generated examples when dataset is empty
    int epochs = 1;
    int steps = 0; // 0: epochs decide
    int batch_size = 16;
    int max_seq_len = 320;
    OptimizerSettings optimizer{.lr = 1e-3, .warmup_steps = 10};

    template <typename V> void visit(V& v);
};

struct GrpoSettings {
    std::string dataset; // JSONL problems (core::loadDataset) instead of the recipe's task mix
    int steps = 100;
    int prompts_per_step = 8;
    int group_size = 16;
    double temperature = 1.0;
    double top_p = 1.0;
    int max_new_tokens = 256;
    GrpoObjective objective;
    int mu = 1; // inner updates per batch
    // Sequences per forward/backward pass, grouped by length (less padding, bounded memory); the
    // gradient is that of the whole batch. 0: the whole batch in one pass.
    int micro_batch_size = 0;
    bool dynamic_sampling = false;
    int ref_refresh_every = 0;
    // Groups per step whose every completion the store keeps (with its advantage) for the trace
    // stepper's group view; 0: none.
    int stored_groups = 2;
    OptimizerSettings optimizer{.lr = 3e-6, .warmup_steps = 0, .schedule = LrSchedule::Constant};
    RewardSettings rewards;

    template <typename V> void visit(V& v);
};

struct RejectionSamplingSettings {
    std::string source; // checkpoint folder or "stage:NAME"; empty: the current model
    int prompts = 200;
    int k = 8;
    double temperature = 0.8;
    double top_p = 0.95;
    int max_new_tokens = 256;
    bool require_correct = true;
    bool require_format = true;
    bool drop_language_mixing = false;
    int max_tokens = 0; // drop responses longer than this; 0 keeps all
    std::string output; // JSONL path; empty: inside the run folder

    template <typename V> void visit(V& v);
};

struct DistillSettings {
    std::string teacher; // checkpoint folder or "stage:NAME"; empty: the current model
    // config.json fields of a new student; or leave empty and name a trained one with `init`
    nlohmann::json student = nlohmann::json::object();
    int prompts = 400;
    int k = 4;
    double temperature = 0.8;
    int max_new_tokens = 256;
    SftSettings sft;

    template <typename V> void visit(V& v);
};

struct EvalSettings {
    int k = 4;
    double temperature = 0.6;
    double top_p = 0.95;
    int max_new_tokens = 256;
    int limit = 64;
    std::vector<std::string> tasks; // empty: the recipe's task mix, held-out split
    std::string dataset;            // JSONL problems instead of tasks

    template <typename V> void visit(V& v);
};

} // namespace thinkbench::core
