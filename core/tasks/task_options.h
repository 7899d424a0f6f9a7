#pragma once
// A task family's options, from a recipe entry or a spec ("arithmetic:digits=1-3"): the checks
// the families share. Both throw core::Error naming the spec and the key.

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <utility>

namespace thinkbench::core {

// "1-3", or one positive number as text or as a number.
std::pair<int, int> parseRange(const nlohmann::json& value, const std::string& spec, const char* key);
// Throws on the first option not in `known`.
void rejectUnknown(const nlohmann::json& options, const std::string& spec, std::initializer_list<const char*> known);

} // namespace thinkbench::core
