#include "app/cli/commands.h"
#include "core/recipe/recipe.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace thinkbench::cli {

void addRecipeCommands(CLI::App& app, GlobalOptions& global)
{
    auto* recipe = app.add_subcommand("recipe", "Work with recipes");
    recipe->require_subcommand(1);
    auto* check = recipe->add_subcommand("check", "Validate a recipe and print every problem");
    auto path = std::make_shared<std::string>();
    check->add_option("FILE", *path, "Recipe (TOML)")->required();
    check->add_flag("--json", global.json, "Machine-readable output");
    check->callback([&global, path] {
        const std::string& file = *path;
        std::ifstream in(file, std::ios::binary);
        if (!in)
            throw core::Error(file, "", "cannot read the recipe file");
        std::stringstream text;
        text << in.rdbuf();
        const auto issues = core::checkRecipe(text.str(), file);
        if (global.json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& issue : issues)
                out.push_back({{"file", issue.file},
                               {"line", issue.line},
                               {"column", issue.column},
                               {"key", issue.keyPath},
                               {"message", issue.message}});
            std::cout << nlohmann::json{{"ok", issues.empty()}, {"issues", out}}.dump() << "\n";
        } else if (issues.empty()) {
            const core::Recipe parsed = core::parseRecipe(text.str(), file);
            std::cout << file << ": ok (" << parsed.stages.size() << " stages:";
            for (const auto& stage : parsed.stages)
                std::cout << " " << stage.name << "[" << core::stageKindName(stage.kind) << "]";
            std::cout << ")\n";
        } else {
            for (const auto& issue : issues)
                std::cerr << issue.str() << "\n";
        }
        if (!issues.empty())
            throw CLI::RuntimeError(1);
    });
}

} // namespace thinkbench::cli
