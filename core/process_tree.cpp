#include "core/process_tree.h"

#include <filesystem>
#include <fstream>
#include <string>

namespace thinkbench::core {

std::vector<int64_t> childProcesses(int64_t pid)
{
    namespace fs = std::filesystem;
    std::vector<int64_t> children;
    std::error_code error;
    // Each thread keeps its own list of the children it forked.
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
        std::ifstream file(task.path() / "children");
        for (int64_t child; file >> child;)
            children.push_back(child);
    }
    return children;
}

std::vector<int64_t> descendantProcesses(int64_t pid)
{
    std::vector<int64_t> found;
    for (int64_t child : childProcesses(pid)) {
        found.push_back(child);
        const auto below = descendantProcesses(child);
        found.insert(found.end(), below.begin(), below.end());
    }
    return found;
}

} // namespace thinkbench::core
