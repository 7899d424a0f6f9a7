// thinkbench-cli: the headless entry point for every ThinkBench job.
// Exit codes: 0 ok, 1 user error (bad input, message on stderr), 2 internal error.

#include "app/cli/commands.h"
#include "core/cuda/cuda_support.h"
#include "core/error.h"
#include "inference/threads.h"

#include <iostream>

int main(int argc, char** argv)
{
    using namespace thinkbench;
    inference::restartWithShortOpenMpSpin(argv);
    core::cudaStatus(); // before anything asks LibTorch about CUDA (cuda_support.h)
    CLI::App app{"ThinkBench: train, run and evaluate reasoning models", "thinkbench-cli"};
    app.require_subcommand(1);
    cli::GlobalOptions global;

    cli::addVersionCommand(app, global);
    cli::addRecipeCommands(app, global);
    cli::addRunsCommands(app, global);
    cli::addTokenizeCommands(app, global);
    cli::addForwardCommand(app, global);
    cli::addGenerateCommands(app, global);
    cli::addVerifyCommand(app, global);
    cli::addEvalCommand(app, global);
    cli::addTrainCommand(app, global);
    cli::addServeCommand(app, global);
    cli::addExportCommand(app, global);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 1;
    } catch (const core::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "internal error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
