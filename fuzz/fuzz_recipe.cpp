// Recipe TOML: parsing, validation, and writing back what parsed (the stage editor writes a
// recipe from anywhere again), which must parse again.

#include "core/recipe/recipe.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench::core;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Recipe recipe;
    try {
        recipe = parseRecipe(text, "fuzz.toml");
    } catch (const Error&) {
        return 0;
    }
    for (const auto& stage : recipe.stages)
        stageSettingsJson(stage).dump();
    try {
        parseRecipe(toToml(recipe), "written.toml");
    } catch (const Error&) {
        std::abort(); // the writer wrote what its reader rejects
    }
    return 0;
}
