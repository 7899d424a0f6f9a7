#include "core/version.h"

namespace thinkbench::core {

std::string versionString()
{
    return std::string(THINKBENCH_VERSION) + " (git " + THINKBENCH_GIT + ")";
}

} // namespace thinkbench::core
