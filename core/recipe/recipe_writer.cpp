// Writing recipes: the settings structs back to TOML (a recipe that parses to an equal one) and a
// stage's settings to JSON for the run store and the stage editor.

#include "core/recipe/recipe.h"
#include "core/recipe/settings_fields.h"
#include "core/recipe/toml_json.h"

#include <toml++/toml.h>

#include <sstream>

namespace thinkbench::core {

namespace {

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
    template <NamedEnum E> void field(const char* key, E value) { table_.insert(key, std::string(nameOf(value))); }
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
        field(key, value);
    }
    template <typename T> void field(const char* key, const T& value)
    {
        if constexpr (NamedEnum<T>)
            out_[key] = std::string(nameOf(value));
        else
            out_[key] = value;
    }
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

} // namespace

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
    top.group("distributed", recipe.distributed);
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
