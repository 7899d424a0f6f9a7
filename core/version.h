#pragma once
#include <string>

namespace thinkbench::core {

// "0.1.0 (git abc1234)": what the run store records with every run.
std::string versionString();

} // namespace thinkbench::core
