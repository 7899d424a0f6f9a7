#include "core/version.h"

#include "git_version.h" // generated at build time: THINKBENCH_GIT

namespace thinkbench::core {

std::string versionString()
{
    return std::string(THINKBENCH_VERSION) + " (git " + THINKBENCH_GIT + ")";
}

} // namespace thinkbench::core
