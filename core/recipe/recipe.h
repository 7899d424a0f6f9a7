#pragma once
// Recipes: a TOML file naming the model, the tokenizer, the task mix and the ordered stages of the
// R1 pipeline. Every settings struct lists its fields once, in `visit`, and that one list drives
// parsing, validation, defaults and writing back to TOML.

#include "core/compute_target.h"
#include "core/error.h"
#include "core/recipe/stage_settings.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace thinkbench::core {

enum class StageKind { Pretrain, Sft, Grpo, RejectionSampling, Distill, Eval };
inline constexpr EnumName<StageKind> kStageKindNames[] = {
    {StageKind::Pretrain, "pretrain"}, {StageKind::Sft, "sft"},
    {StageKind::Grpo, "grpo"},         {StageKind::RejectionSampling, "rejection_sampling"},
    {StageKind::Distill, "distill"},   {StageKind::Eval, "eval"}};
constexpr std::span<const EnumName<StageKind>> enumNames(StageKind)
{
    return kStageKindNames;
}
inline std::string_view stageKindName(StageKind kind)
{
    return nameOf(kind);
}

struct StageSpec {
    StageKind kind = StageKind::Sft;
    std::string name;
    int checkpoint_every = 0; // steps; 0: only at the stage end
    int eval_every = 0;       // steps; 0: only at the stage end
    // "stage:NAME" or a checkpoint folder: the stage starts from that model instead of the one
    // the previous stage left (a distill student, a second model trained beside the first).
    std::string init;
    std::variant<PretrainSettings, SftSettings, GrpoSettings, RejectionSamplingSettings, DistillSettings, EvalSettings>
        settings;
    int line = 0; // where the stage starts in the recipe file

    template <typename T> T& as() { return std::get<T>(settings); }
    template <typename T> const T& as() const { return std::get<T>(settings); }
};

// A stage of `kind` with every setting at its default.
StageSpec defaultStage(StageKind kind, std::string name = {});

struct ModelSpec {
    std::string path;                                 // a Hugging Face folder to start from
    nlohmann::json config = nlohmann::json::object(); // or a new model: config.json fields
    DType dtype = DType::F32;

    template <typename V> void visit(V& v);
};

struct TokenizerSpec {
    std::string path;          // tokenizer.json or a folder; empty: the model folder's, or train one
    int vocab_size = 512;      // when training a byte-level BPE on the generated corpus
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

// Training across processes (training/distributed): the c10d backend and how long a rank waits for
// the others. A recipe run by one process ignores it.
enum class DistributedBackend { Auto, Gloo, Nccl }; // auto: NCCL when the ranks use CUDA, else Gloo
inline constexpr EnumName<DistributedBackend> kDistributedBackendNames[] = {
    {DistributedBackend::Auto, "auto"}, {DistributedBackend::Gloo, "gloo"}, {DistributedBackend::Nccl, "nccl"}};
constexpr std::span<const EnumName<DistributedBackend>> enumNames(DistributedBackend)
{
    return kDistributedBackendNames;
}

struct DistributedSettings {
    DistributedBackend backend = DistributedBackend::Auto;
    int timeout_seconds = 300;            // a collective that waits longer fails, naming the lost rank
    int rendezvous_timeout_seconds = 300; // the ranks all reach the store within this

    template <typename V> void visit(V& v);
};

struct Recipe {
    std::string name;
    std::string description;
    int64_t seed = 1234;
    DeviceKind device = DeviceKind::Auto;
    int threads = 0; // CPU threads (torch's); 0: all cores
    ModelSpec model;
    TokenizerSpec tokenizer;
    std::vector<TaskSpec> tasks;
    BalanceSettings balance;
    DistributedSettings distributed;
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
