// Reading recipes: TOML into the settings structs through their field lists, every problem
// collected with its file, line, column and key path, and the checks across stages.

#include "core/recipe/recipe.h"
#include "core/recipe/settings_fields.h"
#include "core/recipe/toml_json.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace thinkbench::core {

namespace {

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

// Reads one TOML table into a settings struct, collecting every problem.
class TomlReader {
public:
    TomlReader(const toml::table& table, std::string path, const std::string& file, std::vector<RecipeIssue>& issues)
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
        issues_.push_back({file_, static_cast<int>(begin.line), static_cast<int>(begin.column), keyPath, message});
    }

    std::string keyPath(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

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
        if (!array || (!array->empty() && !array->is_homogeneous(toml::node_type::string)))
            return mismatch(node, path, "an array of strings");
        value.clear();
        for (const auto& item : *array)
            value.push_back(*item.value<std::string>());
        return true;
    }
    template <NamedEnum E> bool read(const toml::node& node, E& value, const std::string& path)
    {
        const std::optional<std::string> name = node.value<std::string>();
        const std::optional<E> parsed = name ? enumFromName<E>(*name) : std::nullopt;
        if (!parsed) {
            issue(node, path, "must be one of " + enumChoices<E>() + (name ? " (got \"" + *name + "\")" : ""));
            return false;
        }
        value = *parsed;
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

void validateReferences(const Recipe& recipe, const std::string& file, std::vector<RecipeIssue>& issues)
{
    std::set<std::string> earlier;
    for (size_t i = 0; i < recipe.stages.size(); ++i) {
        const StageSpec& stage = recipe.stages[i];
        const std::string path = "stages[" + std::to_string(i) + "]";
        if (earlier.count(stage.name))
            issues.push_back({file, stage.line, 1, path + ".name", "stage name \"" + stage.name + "\" is used twice"});
        auto checkRef = [&](const std::string& value, const std::string& key) {
            if (value.rfind("stage:", 0) == 0 && !earlier.count(value.substr(6)))
                issues.push_back({file, stage.line, 1, path + "." + key, "\"" + value + "\" names no earlier stage"});
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
        issues.push_back(
            {file, static_cast<int>(begin.line), static_cast<int>(begin.column), "", std::string(e.description())});
        return recipe;
    }

    TomlReader top(root, "", file, issues);
    top.field("name", recipe.name);
    top.field("description", recipe.description);
    top.field("seed", recipe.seed);
    top.field("device", recipe.device);
    top.field("threads", recipe.threads, AtLeast{0});
    top.group("model", recipe.model);
    top.group("tokenizer", recipe.tokenizer);
    top.group("balance", recipe.balance);
    top.group("distributed", recipe.distributed);
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
            std::string kind, name;
            reader.field("kind", kind);
            reader.field("name", name);
            const std::optional<StageKind> found = enumFromName<StageKind>(kind);
            if (!found) {
                const toml::node* node = table.get("kind");
                reader.issue(node ? *node : static_cast<const toml::node&>(table), path + ".kind",
                             kind.empty() ? "a stage needs a kind"
                                          : "unknown stage kind \"" + kind + "\"; one of " + enumChoices<StageKind>());
                continue;
            }
            StageSpec stage = defaultStage(*found, name.empty() ? kind + "-" + std::to_string(i) : name);
            stage.line = static_cast<int>(table.source().begin.line);
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

} // namespace thinkbench::core
