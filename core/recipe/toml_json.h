#pragma once
// TOML tables to JSON objects and back: free-form recipe values (a model's config.json fields,
// task options) travel as JSON inside the engine.

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <string>

namespace thinkbench::core {

nlohmann::json tomlToJson(const toml::node& node);
toml::table jsonToToml(const nlohmann::json& object);
void insertJson(toml::table& table, const std::string& key, const nlohmann::json& value);

} // namespace thinkbench::core
