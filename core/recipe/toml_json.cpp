#include "core/recipe/toml_json.h"

namespace thinkbench::core {

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

} // namespace thinkbench::core
