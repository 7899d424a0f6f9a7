#pragma once
// The one list of fields per settings struct: key, value and the constraint a recipe author is
// told about. The TOML reader, the TOML and JSON writers (recipe_reader.cpp, recipe_writer.cpp)
// all walk these lists, so a field added here is parsed, validated, written and shown in the stage
// editor at once. Private to core/recipe.

#include "core/recipe/recipe.h"

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace thinkbench::core {

// ---- constraints: each says what is wrong in words a recipe author understands ----------------

struct AtLeast {
    double min;
    std::optional<std::string> fail(double v) const
    {
        if (v >= min)
            return std::nullopt;
        std::ostringstream out;
        out << "must be >= " << min;
        return out.str();
    }
};

struct Between {
    double min, max;
    std::optional<std::string> fail(double v) const
    {
        if (v >= min && v <= max)
            return std::nullopt;
        std::ostringstream out;
        out << "must be between " << min << " and " << max;
        return out.str();
    }
};

struct OneOf {
    std::vector<std::string> choices;
    std::optional<std::string> fail(const std::string& v) const
    {
        if (std::find(choices.begin(), choices.end(), v) != choices.end())
            return std::nullopt;
        std::string list;
        for (const auto& c : choices)
            list += (list.empty() ? "" : ", ") + c;
        return "must be one of " + list + " (got \"" + v + "\")";
    }
};

// ---- fields -----------------------------------------------------------------------------------

template <typename V> void OptimizerSettings::visit(V& v)
{
    v.field("lr", lr, Between{0, 10});
    v.field("warmup_steps", warmup_steps, AtLeast{0});
    v.field("schedule", schedule);
    v.field("min_lr_ratio", min_lr_ratio, Between{0, 1});
    v.field("weight_decay", weight_decay, AtLeast{0});
    v.field("beta1", beta1, Between{0, 0.999999});
    v.field("beta2", beta2, Between{0, 0.999999});
    v.field("grad_clip", grad_clip, AtLeast{0});
    v.field("grad_accumulation", grad_accumulation, AtLeast{1});
}

template <typename V> void RewardSettings::visit(V& v)
{
    v.field("accuracy", accuracy);
    v.field("format", format);
    v.field("language", language);
    v.field("length", length);
    v.field("repetition", repetition);
    v.field("strict_format", strict_format);
    v.field("target_script", target_script);
    v.field("overlong_buffer", overlong_buffer, AtLeast{0});
    v.field("repetition_ngram", repetition_ngram, AtLeast{1});
}

template <typename V> void PretrainSettings::visit(V& v)
{
    v.field("steps", steps, AtLeast{1});
    v.field("batch_size", batch_size, AtLeast{1});
    v.field("seq_len", seq_len, AtLeast{8});
    v.field("corpus_size", corpus_size, AtLeast{1});
    v.field("templated", templated, Between{0, 1});
    v.field("answer_only", answer_only, Between{0, 1});
    v.field("model", model);
    v.group("optimizer", optimizer);
}

template <typename V> void SftSettings::visit(V& v)
{
    v.field("dataset", dataset);
    v.field("examples", examples, AtLeast{1});
    v.field("epochs", epochs, AtLeast{1});
    v.field("steps", steps, AtLeast{0});
    v.field("batch_size", batch_size, AtLeast{1});
    v.field("max_seq_len", max_seq_len, AtLeast{8});
    v.group("optimizer", optimizer);
}

template <typename V> void GrpoSettings::visit(V& v)
{
    v.field("dataset", dataset);
    v.field("steps", steps, AtLeast{1});
    v.field("prompts_per_step", prompts_per_step, AtLeast{1});
    v.field("group_size", group_size, AtLeast{2});
    v.field("temperature", temperature, Between{0.01, 10});
    v.field("top_p", top_p, Between{0.01, 1});
    v.field("max_new_tokens", max_new_tokens, AtLeast{1});
    objective.visit(v); // the objective's fields sit in the stage's own table
    v.field("mu", mu, AtLeast{1});
    v.field("micro_batch_size", micro_batch_size, AtLeast{0});
    v.field("dynamic_sampling", dynamic_sampling);
    v.field("ref_refresh_every", ref_refresh_every, AtLeast{0});
    v.field("stored_groups", stored_groups, AtLeast{0});
    v.group("optimizer", optimizer);
    v.group("rewards", rewards);
}

template <typename V> void GrpoObjective::visit(V& v)
{
    // A dual-clip cap at or below 1 would cut ratios the ordinary clip keeps.
    struct OffOrAboveOne {
        std::optional<std::string> fail(double value) const
        {
            return value == 0 || value > 1 ? std::nullopt : std::optional<std::string>("must be 0 (off) or above 1");
        }
    };
    v.field("beta", beta, AtLeast{0});
    v.field("eps_low", eps_low, Between{0, 1});
    v.field("eps_high", eps_high, Between{0, 10});
    v.field("scale_rewards", scale_rewards);
    v.field("loss_aggregation", loss_aggregation);
    v.field("loss_constant", loss_constant, AtLeast{0});
    v.field("importance_ratio", importance_ratio);
    v.field("policy_loss", policy_loss);
    v.field("delta", delta, OffOrAboveOne{});
    v.field("mask_truncated", mask_truncated);
    v.field("entropy_coef", entropy_coef, AtLeast{0});
    v.field("top_entropy_quantile", top_entropy_quantile, Between{0, 1});
    v.field("mismatch_correction", mismatch_correction);
    v.field("mismatch_cap", mismatch_cap, AtLeast{1}); // below 1 would shrink tokens both sides agree on
    v.field("routing_replay", routing_replay);
}

template <typename V> void RejectionSamplingSettings::visit(V& v)
{
    v.field("source", source);
    v.field("prompts", prompts, AtLeast{1});
    v.field("k", k, AtLeast{1});
    v.field("temperature", temperature, Between{0.01, 10});
    v.field("top_p", top_p, Between{0.01, 1});
    v.field("max_new_tokens", max_new_tokens, AtLeast{1});
    v.field("require_correct", require_correct);
    v.field("require_format", require_format);
    v.field("drop_language_mixing", drop_language_mixing);
    v.field("max_tokens", max_tokens, AtLeast{0});
    v.field("output", output);
}

template <typename V> void DistillSettings::visit(V& v)
{
    v.field("teacher", teacher);
    v.field("student", student);
    v.field("prompts", prompts, AtLeast{1});
    v.field("k", k, AtLeast{1});
    v.field("temperature", temperature, Between{0.01, 10});
    v.field("max_new_tokens", max_new_tokens, AtLeast{1});
    v.group("sft", sft);
}

template <typename V> void EvalSettings::visit(V& v)
{
    v.field("k", k, AtLeast{1});
    v.field("temperature", temperature, Between{0, 10});
    v.field("top_p", top_p, Between{0.01, 1});
    v.field("max_new_tokens", max_new_tokens, AtLeast{1});
    v.field("limit", limit, AtLeast{1});
    v.field("tasks", tasks);
    v.field("dataset", dataset);
}

template <typename V> void ModelSpec::visit(V& v)
{
    v.field("path", path);
    v.field("config", config);
    v.field("dtype", dtype);
}

template <typename V> void TokenizerSpec::visit(V& v)
{
    v.field("path", path);
    v.field("vocab_size", vocab_size, AtLeast{260});
    v.field("chat_template", chat_template, OneOf{{"", "r1_zero", "deepseek_r1", "qwen", "llama3"}});
}

template <typename V> void TaskSpec::visit(V& v)
{
    v.field("name", name);
    v.field("weight", weight, AtLeast{0});
    v.field("options", options);
}

template <typename V> void BalanceSettings::visit(V& v)
{
    v.field("bias_update", bias_update, AtLeast{0});
    v.field("sequence_alpha", sequence_alpha, AtLeast{0});
}

template <typename V> void DistributedSettings::visit(V& v)
{
    v.field("backend", backend);
    v.field("timeout_seconds", timeout_seconds, AtLeast{1});
    v.field("rendezvous_timeout_seconds", rendezvous_timeout_seconds, AtLeast{1});
}

// The stage's kind-specific settings, visited with the shared stage fields first.
template <typename V> void visitStage(V& v, StageSpec& stage)
{
    v.field("checkpoint_every", stage.checkpoint_every, AtLeast{0});
    v.field("eval_every", stage.eval_every, AtLeast{0});
    v.field("init", stage.init);
    std::visit([&](auto& settings) { settings.visit(v); }, stage.settings);
}

} // namespace thinkbench::core
