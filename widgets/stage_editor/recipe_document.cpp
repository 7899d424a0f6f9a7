#include "widgets/stage_editor/recipe_document.h"

#include <charconv>
#include <regex>
#include <sstream>
#include <utility>

namespace thinkbench::widgets {

using core::StageKind;

bool RecipeDocument::parse(const std::string& text, const std::string& fileName)
{
    try {
        table_ = toml::parse(text, fileName);
        return true;
    } catch (const toml::parse_error&) {
        return false;
    }
}

// toml++ writes floats with 17 digits (0.9 as 0.90000000000000002) and strings as 'literals'.
std::string RecipeDocument::text() const
{
    std::ostringstream out;
    out << toml::toml_formatter(table_, toml::toml_formatter::default_flags &
                                            ~toml::format_flags::allow_literal_strings &
                                            ~toml::format_flags::indentation)
        << "\n";
    static const std::regex floatLine(R"(^(\s*[A-Za-z0-9_."-]+ = )(-?[0-9][0-9.eE+-]*)$)");
    std::istringstream in(out.str());
    std::string result, line;
    std::smatch match;
    while (std::getline(in, line)) {
        if (std::regex_match(line, match, floatLine) && match[2].str().find_first_of(".eE") != std::string::npos) {
            const std::string token = match[2].str();
            double value = 0;
            if (std::from_chars(token.data(), token.data() + token.size(), value).ec == std::errc()) {
                char buffer[32];
                const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
                std::string shortest(buffer, end);
                if (shortest.find_first_of(".eEn") == std::string::npos)
                    shortest += ".0"; // still a float to TOML
                line = match[1].str() + shortest;
            }
        }
        result += line + '\n';
    }
    return result;
}

int RecipeDocument::stageCount() const
{
    const toml::array* array = table_["stages"].as_array();
    return array ? int(array->size()) : 0;
}

toml::array* RecipeDocument::stages()
{
    return table_["stages"].as_array();
}

const toml::table* RecipeDocument::stage(int index) const
{
    const toml::array* array = table_["stages"].as_array();
    if (!array || index < 0 || size_t(index) >= array->size())
        return nullptr;
    return array->get(size_t(index))->as_table();
}

toml::table* RecipeDocument::editableStage(int index)
{
    return const_cast<toml::table*>(std::as_const(*this).stage(index));
}

std::optional<StageKind> RecipeDocument::stageKind(int index) const
{
    const toml::table* table = stage(index);
    const auto name = table ? (*table)["kind"].value<std::string>() : std::nullopt;
    return name ? core::enumFromName<StageKind>(*name) : std::nullopt;
}

std::string RecipeDocument::stageName(int index) const
{
    const toml::table* table = stage(index);
    return table ? (*table)["name"].value_or(std::string()) : std::string();
}

toml::table* RecipeDocument::parentOf(int stageIndex, const QStringList& path)
{
    toml::table* table = editableStage(stageIndex);
    for (int i = 0; table && i + 1 < path.size(); ++i) {
        const std::string key = path[i].toStdString();
        if (!(*table)[key].is_table())
            table->insert_or_assign(key, toml::table{});
        table = (*table)[key].as_table();
    }
    return table;
}

void RecipeDocument::set(int stage, const QStringList& path, toml::array value)
{
    toml::table* parent = parentOf(stage, path);
    if (parent && value.empty())
        parent->erase(path.last().toStdString());
    else if (parent)
        parent->insert_or_assign(path.last().toStdString(), std::move(value));
}

void RecipeDocument::insertStage(int index, StageKind kind)
{
    if (!stages())
        table_.insert_or_assign("stages", toml::array{});
    const auto taken = [this](const std::string& name) {
        for (int i = 0; i < stageCount(); ++i)
            if (stageName(i) == name)
                return true;
        return false;
    };
    const std::string base(core::stageKindName(kind));
    std::string name = base;
    for (int n = 2; taken(name); ++n)
        name = base + "-" + std::to_string(n);
    core::Recipe holder;
    holder.stages.push_back(core::defaultStage(kind, name));
    toml::table parsed = toml::parse(core::toToml(holder));
    stages()->insert(stages()->cbegin() + index, *parsed["stages"][0].as_table());
}

bool RecipeDocument::removeStage(int index)
{
    if (!stage(index))
        return false;
    stages()->erase(stages()->cbegin() + index);
    return true;
}

bool RecipeDocument::moveStage(int from, int to)
{
    if (!stage(from) || !stage(to) || from == to)
        return false;
    toml::table moved = *editableStage(from);
    stages()->erase(stages()->cbegin() + from);
    stages()->insert(stages()->cbegin() + to, std::move(moved));
    return true;
}

} // namespace thinkbench::widgets
