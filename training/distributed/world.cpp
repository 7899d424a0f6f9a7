#include "training/distributed/world.h"

#include "core/error.h"

#include <charconv>
#include <string_view>

namespace thinkbench::training {

namespace {

// The variable as an integer in [min, max]; `fallback` when unset and fallback >= 0.
int intVariable(const Environment& getenv, const char* name, int min, int max, int fallback = -1)
{
    const char* raw = getenv(name);
    if (!raw || !*raw) {
        if (fallback >= 0)
            return fallback;
        throw core::Error("environment", name,
                          "is not set; a distributed run needs RANK, WORLD_SIZE, "
                          "MASTER_ADDR and MASTER_PORT");
    }
    const std::string_view text(raw);
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw core::Error("environment", name, "\"" + std::string(text) + "\" is not an integer");
    if (value < min || value > max)
        throw core::Error("environment", name,
                          std::to_string(value) + " is out of range [" + std::to_string(min) + ", " +
                              std::to_string(max) + "]");
    return value;
}

} // namespace

World worldFromEnvironment(const Environment& getenv)
{
    World w;
    w.size = intVariable(getenv, "WORLD_SIZE", 1, 1 << 16, 1);
    if (w.size == 1)
        return w;
    w.rank = intVariable(getenv, "RANK", 0, w.size - 1);
    w.localRank = intVariable(getenv, "LOCAL_RANK", 0, w.size - 1, w.rank);
    const char* addr = getenv("MASTER_ADDR");
    if (!addr || !*addr)
        throw core::Error("environment", "MASTER_ADDR", "is not set; it names the host of rank 0");
    w.masterAddr = addr;
    w.masterPort = intVariable(getenv, "MASTER_PORT", 1, 65535);
    return w;
}

} // namespace thinkbench::training
