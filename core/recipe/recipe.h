#pragma once
// Recipes: a TOML file naming the model, the tokenizer, the task mix and the ordered stages of the
// R1 pipeline. Every settings struct lists its fields once, in `visit`, and that one list drives
// parsing, validation, defaults and writing back to TOML.

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace thinkbench::core {

// Optimiser and schedule of a training stage.
struct OptimizerSettings {
    double lr = 1e-3;
    int warmup_steps = 0;
    std::string schedule = "cosine"; // cosine | constant
    double min_lr_ratio = 0.1;       // cosine decays to lr * min_lr_ratio
    double weight_decay = 0.0;
    double beta1 = 0.9;
    double beta2 = 0.95;
    double grad_clip = 1.0; // 0 disables clipping
    int grad_accumulation = 1;

    template <typename V> void visit(V& v);
};

// Weights of the reward components (each is logged separately) and their parameters.
struct RewardSettings {
    double accuracy = 1.0;
    double format = 0.2;
    double language = 0.0;
    double length = 0.0;
    double repetition = 0.0;
    bool strict_format = false;
    std::string target_script = "latin"; // language consistency: the script reasoning should use
    int overlong_buffer = 32;            // DAPO: penalty ramps over the last N tokens before max
    int repetition_ngram = 4;

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
    double beta = 0.001; // KL coefficient; 0 keeps no reference model
    double eps_low = 0.2;
    double eps_high = 0.28;            // DAPO clip-higher
    std::string scale_rewards = "std"; // std | none (Dr. GRPO)
    std::string loss_aggregation = "token-mean"; // token-mean | sequence-mean | constant
    double loss_constant = 0;                    // constant aggregation normaliser; 0: max_new_tokens
    int mu = 1;                                  // inner updates per batch
    // Sequences per forward/backward pass, grouped by length (less padding, bounded memory); the
    // gradient is that of the whole batch. 0: the whole batch in one pass.
    int micro_batch_size = 0;
    bool dynamic_sampling = false;
    int ref_refresh_every = 0;
    OptimizerSettings optimizer{.lr = 3e-6, .warmup_steps = 0, .schedule = "constant"};
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

enum class StageKind { Pretrain, Sft, Grpo, RejectionSampling, Distill, Eval };
std::string_view stageKindName(StageKind kind);

struct StageSpec {
    StageKind kind = StageKind::Sft;
    std::string name;
    int checkpoint_every = 0; // steps; 0: only at the stage end
    int eval_every = 0;       // steps; 0: only at the stage end
    // "stage:NAME" or a checkpoint folder: the stage starts from that model instead of the one
    // the previous stage left (a distill student, a second model trained beside the first).
    std::string init;
    std::variant<PretrainSettings, SftSettings, GrpoSettings, RejectionSamplingSettings,
                 DistillSettings, EvalSettings>
        settings;
    int line = 0; // where the stage starts in the recipe file

    template <typename T> T& as() { return std::get<T>(settings); }
    template <typename T> const T& as() const { return std::get<T>(settings); }
};

struct ModelSpec {
    std::string path;                                 // a Hugging Face folder to start from
    nlohmann::json config = nlohmann::json::object(); // or a new model: config.json fields
    std::string dtype = "f32";                        // f32 | bf16 | f16

    template <typename V> void visit(V& v);
};

struct TokenizerSpec {
    std::string path;     // tokenizer.json or a folder; empty: the model folder's, or train one
    int vocab_size = 512; // when training a byte-level BPE on the generated corpus
    std::string chat_template; // empty: chosen from the tokenizer; or r1_zero, deepseek_r1, ...

    template <typename V> void visit(V& v);
};

struct TaskSpec {
    std::string name;
    double weight = 1.0;
    nlohmann::json options = nlohmann::json::object();

    template <typename V> void visit(V& v);
};

// Mixture-of-Experts load balancing (DeepSeek-V3): aux-loss-free bias update and an optional
// sequence-wise balance loss.
struct BalanceSettings {
    double bias_update = 1e-3; // gamma
    double sequence_alpha = 0.0;

    template <typename V> void visit(V& v);
};

struct Recipe {
    std::string name;
    std::string description;
    int64_t seed = 1234;
    std::string device = "auto"; // auto | cpu | cuda
    int threads = 0;             // CPU threads (torch's); 0: all cores
    ModelSpec model;
    TokenizerSpec tokenizer;
    std::vector<TaskSpec> tasks;
    BalanceSettings balance;
    std::vector<StageSpec> stages;

    const StageSpec* stage(std::string_view name) const;
};

// One problem in a recipe file; `str()` is "file:line:column: key.path: message".
struct RecipeIssue {
    std::string file;
    int line = 0;
    int column = 0;
    std::string keyPath;
    std::string message;

    std::string str() const;
};

class RecipeError : public Error {
public:
    RecipeError(std::string file, std::vector<RecipeIssue> issues);
    const std::vector<RecipeIssue>& issues() const { return issues_; }

private:
    std::vector<RecipeIssue> issues_;
};

// Every problem of the text at once; empty when it is a valid recipe.
std::vector<RecipeIssue> checkRecipe(std::string_view text, const std::string& fileName);
// Throws RecipeError with every problem.
Recipe parseRecipe(std::string_view text, const std::string& fileName);
Recipe loadRecipe(const std::string& path);
// Writes a recipe back as TOML that parses to an equal recipe.
std::string toToml(const Recipe& recipe);

// A stage's settings (without kind and name) as JSON, for the run store.
nlohmann::json stageSettingsJson(const StageSpec& stage);

} // namespace thinkbench::core
