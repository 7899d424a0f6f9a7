#pragma once
// Each subcommand family lives in its own cmd_*.cpp and registers itself on the root app here.

#include <CLI/CLI.hpp>
#include <string>

namespace thinkbench::cli {

// Options every subcommand shares.
struct GlobalOptions {
    std::string db = "runs.sqlite";
    bool json = false;
};

void addVersionCommand(CLI::App& app, GlobalOptions& global);
void addRecipeCommands(CLI::App& app, GlobalOptions& global);
void addRunsCommands(CLI::App& app, GlobalOptions& global);
void addTokenizeCommands(CLI::App& app, GlobalOptions& global);
void addForwardCommand(CLI::App& app, GlobalOptions& global);
void addGenerateCommands(CLI::App& app, GlobalOptions& global);
void addVerifyCommand(CLI::App& app, GlobalOptions& global);
void addEvalCommand(CLI::App& app, GlobalOptions& global);
void addTrainCommand(CLI::App& app, GlobalOptions& global);
void addServeCommand(CLI::App& app, GlobalOptions& global);
void addExportCommand(CLI::App& app, GlobalOptions& global);

} // namespace thinkbench::cli
