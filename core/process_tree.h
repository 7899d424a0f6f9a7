#pragma once
// The processes a process started, read from Linux's /proc/PID/task/TID/children: how the GUI
// finds the ranks `train --nproc` launched, to kill them with their launcher.

#include <cstdint>
#include <vector>

namespace thinkbench::core {

// The direct children of `pid` (empty where /proc cannot say, e.g. the process is gone).
std::vector<int64_t> childProcesses(int64_t pid);
// Children, their children and so on, each before its own.
std::vector<int64_t> descendantProcesses(int64_t pid);

} // namespace thinkbench::core
