#pragma once
// The names each choice setting of a stage may take, read from the settings' one field list: a
// form built from core::stageSettingsJson (which writes choices as plain strings) can offer the
// allowed names instead of free text, without a copy of the names.

#include "core/recipe/recipe.h"

#include <map>
#include <string>
#include <vector>

namespace thinkbench::core {

// Dotted key path as stageSettingsJson nests it ("optimizer.schedule", "rewards.target_script")
// -> the allowed names, in the order of the enum's name table.
using SettingChoices = std::map<std::string, std::vector<std::string>>;

SettingChoices stageSettingChoices(const StageSpec& stage);

} // namespace thinkbench::core
