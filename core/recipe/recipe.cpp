#include "core/recipe/recipe.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace thinkbench::core {

// ---------------------------------------------------------------------------------------------
// Constraints a field can carry; each says what is wrong in words a recipe author understands.

namespace {

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

} // namespace

// ---------------------------------------------------------------------------------------------
// The one list of fields per settings struct.

template <typename V> void OptimizerSettings::visit(V& v)
{
    v.field("lr", lr, Between{0, 10});
    v.field("warmup_steps", warmup_steps, AtLeast{0});
    v.field("schedule", schedule, OneOf{{"cosine", "constant"}});
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
    v.field("target_script", target_script, OneOf{{"latin", "han", "any"}});
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
    v.field("beta", beta, AtLeast{0});
    v.field("eps_low", eps_low, Between{0, 1});
    v.field("eps_high", eps_high, Between{0, 10});
    v.field("scale_rewards", scale_rewards, OneOf{{"std", "none"}});
    v.field("loss_aggregation", loss_aggregation,
            OneOf{{"token-mean", "sequence-mean", "constant"}});
    v.field("loss_constant", loss_constant, AtLeast{0});
    v.field("mu", mu, AtLeast{1});
    v.field("micro_batch_size", micro_batch_size, AtLeast{0});
    v.field("dynamic_sampling", dynamic_sampling);
    v.field("ref_refresh_every", ref_refresh_every, AtLeast{0});
    v.group("optimizer", optimizer);
    v.group("rewards", rewards);
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
    v.field("dtype", dtype, OneOf{{"f32", "bf16", "f16"}});
}

template <typename V> void TokenizerSpec::visit(V& v)
{
    v.field("path", path);
    v.field("vocab_size", vocab_size, AtLeast{260});
    v.field("chat_template", chat_template,
            OneOf{{"", "r1_zero", "deepseek_r1", "qwen", "llama3"}});
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

// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kStageKinds[] = {"pretrain", "sft",     "grpo",
                                            "rejection_sampling", "distill", "eval"};

// The stage's kind-specific settings, visited with the shared stage fields first.
template <typename V> void visitStage(V& v, StageSpec& stage)
{
    v.field("checkpoint_every", stage.checkpoint_every, AtLeast{0});
    v.field("eval_every", stage.eval_every, AtLeast{0});
    v.field("init", stage.init);
    std::visit([&](auto& settings) { settings.visit(v); }, stage.settings);
}

void setStageKind(StageSpec& stage, StageKind kind)
{
    stage.kind = kind;
    switch (kind) {
    case StageKind::Pretrain: stage.settings = PretrainSettings{}; break;
    case StageKind::Sft: stage.settings = SftSettings{}; break;
    case StageKind::Grpo: stage.settings = GrpoSettings{}; break;
    case StageKind::RejectionSampling: stage.settings = RejectionSamplingSettings{}; break;
    case StageKind::Distill: stage.settings = DistillSettings{}; break;
    case StageKind::Eval: stage.settings = EvalSettings{}; break;
    }
}

size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

nlohmann::json tomlToJson(const toml::node& node)
{
    if (auto* table = node.as_table()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, value] : *table)
            out[std::string(key.str())] = tomlToJson(value);
        return out;
    }
    if (auto* array = node.as_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& value : *array)
            out.push_back(tomlToJson(value));
        return out;
    }
    if (auto v = node.value<int64_t>(); v && node.is_integer())
        return *v;
    if (auto v = node.value<double>(); v && node.is_floating_point())
        return *v;
    if (auto v = node.value<bool>())
        return *v;
    if (auto v = node.value<std::string>())
        return *v;
    return nullptr;
}

// Reads one TOML table into a settings struct, collecting every problem.
class TomlReader {
public:
    TomlReader(const toml::table& table, std::string path, const std::string& file,
               std::vector<RecipeIssue>& issues)
        : table_(table)
        , path_(std::move(path))
        , file_(file)
        , issues_(issues)
    {
    }

    template <typename T> void field(const char* key, T& value)
    {
        known_.push_back(key);
        if (const toml::node* node = table_.get(key))
            read(*node, value, keyPath(key));
    }

    template <typename T, typename Check> void field(const char* key, T& value, const Check& check)
    {
        known_.push_back(key);
        const toml::node* node = table_.get(key);
        if (node && read(*node, value, keyPath(key))) {
            if (auto problem = check.fail(value))
                issue(*node, keyPath(key), *problem);
        }
    }

    template <typename S> void group(const char* key, S& settings)
    {
        known_.push_back(key);
        const toml::node* node = table_.get(key);
        if (!node)
            return;
        if (!node->is_table()) {
            issue(*node, keyPath(key), "must be a table");
            return;
        }
        TomlReader reader(*node->as_table(), keyPath(key), file_, issues_);
        settings.visit(reader);
        reader.finish();
    }

    void known(const char* key) { known_.push_back(key); }

    // Reports keys no field claimed, with the closest known key.
    void finish()
    {
        for (const auto& [key, node] : table_) {
            const std::string name(key.str());
            if (std::find(known_.begin(), known_.end(), name) != known_.end())
                continue;
            std::string best;
            size_t bestDistance = SIZE_MAX;
            for (const auto& candidate : known_) {
                const size_t d = editDistance(name, candidate);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = candidate;
                }
            }
            std::string message = "unknown key";
            if (!best.empty() && bestDistance <= std::max<size_t>(2, name.size() / 3))
                message += "; did you mean \"" + best + "\"?";
            issue(node, keyPath(name), message);
        }
    }

    void issue(const toml::node& node, const std::string& keyPath, const std::string& message)
    {
        const auto& begin = node.source().begin;
        issues_.push_back({file_, static_cast<int>(begin.line), static_cast<int>(begin.column),
                           keyPath, message});
    }

    std::string keyPath(const std::string& key) const
    {
        return path_.empty() ? key : path_ + "." + key;
    }

private:
    bool read(const toml::node& node, int& value, const std::string& path)
    {
        if (!node.is_integer())
            return mismatch(node, path, "an integer");
        const int64_t v = *node.value<int64_t>();
        if (v < INT32_MIN || v > INT32_MAX)
            return mismatch(node, path, "an integer in 32-bit range");
        value = static_cast<int>(v);
        return true;
    }
    bool read(const toml::node& node, int64_t& value, const std::string& path)
    {
        if (!node.is_integer())
            return mismatch(node, path, "an integer");
        value = *node.value<int64_t>();
        return true;
    }
    bool read(const toml::node& node, double& value, const std::string& path)
    {
        if (!node.is_number())
            return mismatch(node, path, "a number");
        value = *node.value<double>();
        return true;
    }
    bool read(const toml::node& node, bool& value, const std::string& path)
    {
        if (!node.is_boolean())
            return mismatch(node, path, "true or false");
        value = *node.value<bool>();
        return true;
    }
    bool read(const toml::node& node, std::string& value, const std::string& path)
    {
        if (!node.is_string())
            return mismatch(node, path, "a string");
        value = *node.value<std::string>();
        return true;
    }
    bool read(const toml::node& node, std::vector<std::string>& value, const std::string& path)
    {
        const toml::array* array = node.as_array();
        if (!array || !array->is_homogeneous(toml::node_type::string))
            return mismatch(node, path, "an array of strings");
        value.clear();
        for (const auto& item : *array)
            value.push_back(*item.value<std::string>());
        return true;
    }
    bool read(const toml::node& node, nlohmann::json& value, const std::string& path)
    {
        if (!node.is_table())
            return mismatch(node, path, "a table");
        value = tomlToJson(node);
        return true;
    }
    bool mismatch(const toml::node& node, const std::string& path, const char* expected)
    {
        issue(node, path, std::string("must be ") + expected);
        return false;
    }

    const toml::table& table_;
    std::string path_;
    const std::string& file_;
    std::vector<RecipeIssue>& issues_;
    std::vector<std::string> known_;
};

toml::table jsonToToml(const nlohmann::json& object);


void insertJson(toml::table& table, const std::string& key, const nlohmann::json& value)
{
    if (value.is_object())
        table.insert(key, jsonToToml(value));
    else if (value.is_array()) {
        toml::array array;
        for (const auto& item : value) {
            if (item.is_object())
                array.push_back(jsonToToml(item));
            else if (item.is_number_integer())
                array.push_back(item.get<int64_t>());
            else if (item.is_number())
                array.push_back(item.get<double>());
            else if (item.is_boolean())
                array.push_back(item.get<bool>());
            else if (item.is_string())
                array.push_back(item.get<std::string>());
        }
        table.insert(key, std::move(array));
    } else if (value.is_number_integer())
        table.insert(key, value.get<int64_t>());
    else if (value.is_number())
        table.insert(key, value.get<double>());
    else if (value.is_boolean())
        table.insert(key, value.get<bool>());
    else if (value.is_string())
        table.insert(key, value.get<std::string>());
}

toml::table jsonToToml(const nlohmann::json& object)
{
    toml::table table;
    for (const auto& [key, value] : object.items())
        insertJson(table, key, value);
    return table;
}

// Writes a settings struct into a TOML table.
class TomlWriter {
public:
    explicit TomlWriter(toml::table& table)
        : table_(table)
    {
    }
    template <typename T, typename Check> void field(const char* key, const T& value, const Check&)
    {
        field(key, value);
    }
    void field(const char* key, int value) { table_.insert(key, int64_t{value}); }
    void field(const char* key, int64_t value) { table_.insert(key, value); }
    void field(const char* key, double value) { table_.insert(key, value); }
    void field(const char* key, bool value) { table_.insert(key, value); }
    void field(const char* key, const std::string& value) { table_.insert(key, value); }
    void field(const char* key, const std::vector<std::string>& value)
    {
        toml::array array;
        for (const auto& item : value)
            array.push_back(item);
        table_.insert(key, std::move(array));
    }
    void field(const char* key, const nlohmann::json& value) { insertJson(table_, key, value); }
    template <typename S> void group(const char* key, S& settings)
    {
        toml::table sub;
        TomlWriter writer(sub);
        settings.visit(writer);
        table_.insert(key, std::move(sub));
    }

private:
    toml::table& table_;
};

// Writes a settings struct into a JSON object.
class JsonWriter {
public:
    explicit JsonWriter(nlohmann::json& out)
        : out_(out)
    {
    }
    template <typename T, typename Check> void field(const char* key, const T& value, const Check&)
    {
        out_[key] = value;
    }
    template <typename T> void field(const char* key, const T& value) { out_[key] = value; }
    template <typename S> void group(const char* key, S& settings)
    {
        nlohmann::json sub = nlohmann::json::object();
        JsonWriter writer(sub);
        settings.visit(writer);
        out_[key] = std::move(sub);
    }

private:
    nlohmann::json& out_;
};

void validateReferences(const Recipe& recipe, const std::string& file,
                        std::vector<RecipeIssue>& issues)
{
    std::set<std::string> earlier;
    for (size_t i = 0; i < recipe.stages.size(); ++i) {
        const StageSpec& stage = recipe.stages[i];
        const std::string path = "stages[" + std::to_string(i) + "]";
        if (earlier.count(stage.name))
            issues.push_back({file, stage.line, 1, path + ".name",
                              "stage name \"" + stage.name + "\" is used twice"});
        auto checkRef = [&](const std::string& value, const std::string& key) {
            if (value.rfind("stage:", 0) == 0 && !earlier.count(value.substr(6)))
                issues.push_back({file, stage.line, 1, path + "." + key,
                                  "\"" + value + "\" names no earlier stage"});
        };
        checkRef(stage.init, "init");
        if (stage.kind == StageKind::Sft)
            checkRef(stage.as<SftSettings>().dataset, "dataset");
        if (stage.kind == StageKind::RejectionSampling)
            checkRef(stage.as<RejectionSamplingSettings>().source, "source");
        if (stage.kind == StageKind::Distill) {
            const auto& distill = stage.as<DistillSettings>();
            checkRef(distill.teacher, "teacher");
            if (stage.init.empty() && !distill.student.contains("model_type"))
                issues.push_back({file, stage.line, 1, path + ".student",
                                  "the student needs a model_type (qwen2, llama or deepseek_v3), "
                                  "or name a trained student with init"});
        }
        if (stage.kind == StageKind::Pretrain) {
            const auto& model = stage.as<PretrainSettings>().model;
            if (!model.empty() && !model.contains("model_type"))
                issues.push_back({file, stage.line, 1, path + ".model",
                                  "the model needs a model_type (qwen2, llama or deepseek_v3)"});
            if (model.empty() && !recipe.model.path.empty())
                issues.push_back({file, stage.line, 1, path + ".kind",
                                  "pretrain needs a new model ([model] config or the stage's model), "
                                  "not a model path"});
        }
        earlier.insert(stage.name);
    }
}

Recipe parseInto(std::string_view text, const std::string& file, std::vector<RecipeIssue>& issues)
{
    Recipe recipe;
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        issues.push_back({file, static_cast<int>(begin.line), static_cast<int>(begin.column), "",
                          std::string(e.description())});
        return recipe;
    }

    TomlReader top(root, "", file, issues);
    top.field("name", recipe.name);
    top.field("description", recipe.description);
    top.field("seed", recipe.seed);
    top.field("device", recipe.device, OneOf{{"auto", "cpu", "cuda"}});
    top.field("threads", recipe.threads, AtLeast{0});
    top.group("model", recipe.model);
    top.group("tokenizer", recipe.tokenizer);
    top.group("balance", recipe.balance);
    top.known("tasks");
    top.known("stages");
    top.finish();

    if (recipe.name.empty())
        issues.push_back({file, 1, 1, "name", "a recipe needs a name"});
    if (recipe.model.path.empty() && !recipe.model.config.contains("model_type"))
        issues.push_back({file, 1, 1, "model",
                          "give either model.path (a Hugging Face folder) or model.config with a "
                          "model_type"});

    if (const toml::node* tasks = root.get("tasks")) {
        const toml::array* array = tasks->as_array();
        if (!array || !array->is_homogeneous(toml::node_type::table)) {
            top.issue(*tasks, "tasks", "must be an array of tables ([[tasks]])");
        } else {
            for (size_t i = 0; i < array->size(); ++i) {
                const auto& table = *array->get(i)->as_table();
                const std::string path = "tasks[" + std::to_string(i) + "]";
                TaskSpec task;
                TomlReader reader(table, path, file, issues);
                task.visit(reader);
                reader.finish();
                if (task.name.empty())
                    reader.issue(table, path + ".name", "a task needs a name");
                recipe.tasks.push_back(std::move(task));
            }
        }
    }

    const toml::node* stages = root.get("stages");
    const toml::array* array = stages ? stages->as_array() : nullptr;
    if (!stages) {
        issues.push_back({file, 1, 1, "stages", "a recipe needs at least one [[stages]]"});
    } else if (!array || !array->is_homogeneous(toml::node_type::table)) {
        top.issue(*stages, "stages", "must be an array of tables ([[stages]])");
    } else {
        for (size_t i = 0; i < array->size(); ++i) {
            const auto& table = *array->get(i)->as_table();
            const std::string path = "stages[" + std::to_string(i) + "]";
            TomlReader reader(table, path, file, issues);
            StageSpec stage;
            stage.line = static_cast<int>(table.source().begin.line);
            std::string kind;
            reader.field("kind", kind);
            reader.field("name", stage.name);
            const auto* found = std::find(std::begin(kStageKinds), std::end(kStageKinds), kind);
            if (found == std::end(kStageKinds)) {
                const toml::node* node = table.get("kind");
                reader.issue(node ? *node : static_cast<const toml::node&>(table), path + ".kind",
                             kind.empty() ? "a stage needs a kind"
                                          : "unknown stage kind \"" + kind +
                                                "\"; one of pretrain, sft, grpo, "
                                                "rejection_sampling, distill, eval");
                continue;
            }
            setStageKind(stage, static_cast<StageKind>(found - std::begin(kStageKinds)));
            if (stage.name.empty())
                stage.name = kind + "-" + std::to_string(i);
            visitStage(reader, stage);
            reader.finish();
            recipe.stages.push_back(std::move(stage));
        }
        if (array->empty())
            top.issue(*stages, "stages", "a recipe needs at least one stage");
    }
    validateReferences(recipe, file, issues);
    std::stable_sort(issues.begin(), issues.end(), [](const RecipeIssue& a, const RecipeIssue& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return recipe;
}

} // namespace

std::string_view stageKindName(StageKind kind)
{
    return kStageKinds[static_cast<size_t>(kind)];
}

const StageSpec* Recipe::stage(std::string_view name) const
{
    for (const auto& s : stages)
        if (s.name == name)
            return &s;
    return nullptr;
}

std::string RecipeIssue::str() const
{
    std::string out = file;
    if (line > 0)
        out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!keyPath.empty())
        out += keyPath + ": ";
    return out + message;
}

namespace {
std::string joinIssues(const std::vector<RecipeIssue>& issues)
{
    std::string out = std::to_string(issues.size()) + " problem(s) in the recipe";
    for (const auto& issue : issues)
        out += "\n  " + issue.str();
    return out;
}
} // namespace

RecipeError::RecipeError(std::string file, std::vector<RecipeIssue> issues)
    : Error(std::move(file), "", joinIssues(issues))
    , issues_(std::move(issues))
{
}

std::vector<RecipeIssue> checkRecipe(std::string_view text, const std::string& fileName)
{
    std::vector<RecipeIssue> issues;
    parseInto(text, fileName, issues);
    return issues;
}

Recipe parseRecipe(std::string_view text, const std::string& fileName)
{
    std::vector<RecipeIssue> issues;
    Recipe recipe = parseInto(text, fileName, issues);
    if (!issues.empty())
        throw RecipeError(fileName, std::move(issues));
    return recipe;
}

Recipe loadRecipe(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path, "", "cannot read the recipe file");
    std::stringstream text;
    text << in.rdbuf();
    return parseRecipe(text.str(), path);
}

std::string toToml(const Recipe& constRecipe)
{
    Recipe recipe = constRecipe; // visit() takes non-const references
    toml::table root;
    TomlWriter top(root);
    top.field("name", recipe.name);
    if (!recipe.description.empty())
        top.field("description", recipe.description);
    top.field("seed", recipe.seed);
    top.field("device", recipe.device);
    top.field("threads", recipe.threads);
    top.group("model", recipe.model);
    top.group("tokenizer", recipe.tokenizer);
    top.group("balance", recipe.balance);
    toml::array tasks;
    for (auto& task : recipe.tasks) {
        toml::table table;
        TomlWriter writer(table);
        task.visit(writer);
        tasks.push_back(std::move(table));
    }
    if (!tasks.empty())
        root.insert("tasks", std::move(tasks));
    toml::array stages;
    for (auto& stage : recipe.stages) {
        toml::table table;
        TomlWriter writer(table);
        writer.field("kind", std::string(stageKindName(stage.kind)));
        writer.field("name", stage.name);
        visitStage(writer, stage);
        stages.push_back(std::move(table));
    }
    root.insert("stages", std::move(stages));
    std::ostringstream out;
    out << toml::toml_formatter(root) << "\n";
    return out.str();
}

nlohmann::json stageSettingsJson(const StageSpec& constStage)
{
    StageSpec stage = constStage;
    nlohmann::json out = nlohmann::json::object();
    JsonWriter writer(out);
    visitStage(writer, stage);
    return out;
}

} // namespace thinkbench::core
