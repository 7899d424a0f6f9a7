#pragma once
// The built-in task families. Each one's file holds its generator, its worked solutions and the
// checks of its options; makeTask picks one by name.

#include "core/tasks/task.h"

#include <memory>
#include <string>

namespace thinkbench::core {

// `spec` names the task in errors ("task arithmetic").
std::unique_ptr<TaskFamily> makeArithmetic(const nlohmann::json& options, const std::string& spec);
std::unique_ptr<TaskFamily> makeCountdown(const nlohmann::json& options, const std::string& spec);
std::unique_ptr<TaskFamily> makeLinear(const nlohmann::json& options, const std::string& spec);
std::unique_ptr<TaskFamily> makeKnights(const nlohmann::json& options, const std::string& spec);

} // namespace thinkbench::core
