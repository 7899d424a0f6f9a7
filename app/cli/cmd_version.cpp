#include "app/cli/commands.h"
#include "core/version.h"

#include <nlohmann/json.hpp>
#include <torch/version.h>

#include <iostream>

namespace thinkbench::cli {

void addVersionCommand(CLI::App& app, GlobalOptions& global)
{
    auto* cmd = app.add_subcommand("version", "Print the version of ThinkBench and its engine");
    cmd->add_flag("--json", global.json, "Machine-readable output");
    cmd->callback([&global] {
        if (global.json) {
            nlohmann::json out = {{"thinkbench", core::versionString()}, {"libtorch", TORCH_VERSION}};
            std::cout << out.dump() << "\n";
        } else {
            std::cout << "thinkbench " << core::versionString() << "\nlibtorch " << TORCH_VERSION << "\n";
        }
    });
}

} // namespace thinkbench::cli
