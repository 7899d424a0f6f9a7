// config.json as ModelConfig::fromFile reads it, and the config.json written back from what it
// accepted, which must read again.

#include "core/error.h"
#include "core/model/model_config.h"
#include "fuzz/fuzz_input.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench;
    static const fuzz::ScratchFolder folder;
    const std::string path = folder.write("config.json", std::string_view(reinterpret_cast<const char*>(data), size));
    core::ModelConfig config;
    try {
        config = core::ModelConfig::fromFile(path);
    } catch (const core::Error&) {
        return 0;
    }
    try {
        core::ModelConfig::fromJson(config.toJson(), "written config.json");
    } catch (const core::Error&) {
        std::abort(); // toJson wrote a config its reader rejects
    }
    return 0;
}
