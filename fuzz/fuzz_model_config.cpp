// config.json as ModelConfig::fromFile reads it, and the config.json written back from what it
// accepted, which must read again.

#include "core/error.h"
#include "core/model/model_config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench::core;
    const nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded())
        return 0; // fromFile: invalid JSON, a clean error
    ModelConfig config;
    try {
        config = ModelConfig::fromJson(json, "config.json");
    } catch (const Error&) {
        return 0;
    }
    try {
        ModelConfig::fromJson(config.toJson(), "written config.json");
    } catch (const Error&) {
        std::abort(); // toJson wrote a config its reader rejects
    }
    return 0;
}
