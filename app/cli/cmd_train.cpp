// `thinkbench-cli train RECIPE [--resume RUN]`: runs the R1 pipeline of a recipe, with a progress
// bar on a terminal or JSON lines (training/pipeline.h documents them) with --json.

#include "app/cli/commands.h"
#include "app/cli/progress_output.h"
#include "core/error.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "training/distributed/local_launcher.h"
#include "training/distributed/process_group.h"
#include "training/pipeline.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace thinkbench::cli {

namespace {

std::atomic<bool> stopRequested{false};

extern "C" void onStopSignal(int)
{
    stopRequested.store(true);
}

struct TrainCommand {
    std::string recipe;
    int64_t resume = 0;
    std::string runRoot;
    int nproc = 1;
};

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw core::Error(path, "", "cannot open the recipe");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void printProgress(const nlohmann::json& e, ProgressOutput& out)
{
    const bool tty = out.tty;
    const std::string kind = e.value("event", "");
    if (kind == "stage_begin") {
        out.lastLine = std::chrono::steady_clock::now();
        const int64_t total = e.value("total", int64_t(0));
        const std::string steps = total > 0 ? ", " + std::to_string(total) + " steps" : "";
        std::fprintf(stderr, "== stage %d: %s (%s%s)\n", e.value("stage_index", 0), e.value("stage", "").c_str(),
                     e.value("kind", "").c_str(), steps.c_str());
    } else if (kind == "step") {
        const int64_t done = e.value("stage_step", int64_t(0)), total = e.value("total", int64_t(0));
        if (!out.printsStep())
            return;
        const int width = 24, filled = total > 0 ? int(width * done / total) : width;
        std::string keys;
        const auto& m = e["metrics"];
        namespace metric = core::metric;
        // "kept": rejection sampling's running count in its progress events.
        for (const std::string_view key : {metric::kLoss, metric::kRewardMean, metric::kAccuracy, metric::kLengthMean,
                                           metric::kHeldOutPass1, std::string_view("kept")})
            if (const std::string name(key); m.contains(name)) {
                char buf[64];
                std::snprintf(buf, sizeof buf, " %s=%.3f", name.c_str(), m[name].get<double>());
                keys += buf;
            }
        std::fprintf(stderr, "%s[%.*s%*s] %lld/%lld%s%s", tty ? "\r" : "", filled, "########################",
                     width - filled, "", static_cast<long long>(done), static_cast<long long>(total), keys.c_str(),
                     tty ? "\033[K" : "\n");
        if (tty && done == total)
            std::fprintf(stderr, "\n");
    } else if (kind == "eval") {
        std::fprintf(stderr, "%s  eval %s: pass@1 %.1f%% \u00b1 %.1f  cons@k %.1f%%  length %.1f  format %.1f%%\n",
                     tty ? "\r\033[K" : "", e.value("stage", "").c_str(), 100 * e.value("pass1", 0.0),
                     100 * e.value("pass1_stderr", 0.0), 100 * e.value("cons_at_k", 0.0), e.value("mean_length", 0.0),
                     100 * e.value("format_rate", 0.0));
    } else if (kind == "stage_end" && e.value("status", "") == "stopped") {
        std::fprintf(stderr, "%sstopped; resume with --resume %lld\n", tty ? "\n" : "",
                     static_cast<long long>(e.value("run", int64_t(0))));
    }
}

void run(const TrainCommand& o, const GlobalOptions& global)
{
    // One of several ranks (the torchrun environment): rank 0 alone writes the store and prints.
    const training::World world = training::worldFromEnvironment();
    std::unique_ptr<training::ProcessGroup> group;
    if (world.distributed()) {
        const auto settings =
            o.resume > 0 ? core::DistributedSettings{} : core::parseRecipe(readFile(o.recipe), o.recipe).distributed;
        group = training::ProcessGroup::rendezvous(world, std::chrono::seconds(settings.rendezvous_timeout_seconds));
    }
    core::RunStore store(world.rank == 0 ? global.db : ":memory:");
    training::PipelineOptions options;
    options.recipeFile = o.recipe;
    if (o.resume > 0)
        options.resumeRun = o.resume;
    options.runRoot = o.runRoot;
    options.stop = &stopRequested;
    options.group = group.get();
    ProgressOutput progress{.tty = isatty(fileno(stderr)) != 0};
    options.onEvent = [&](const nlohmann::json& e) {
        if (world.rank != 0)
            return;
        if (global.json)
            std::cout << e.dump() << std::endl;
        else
            printProgress(e, progress);
    };
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    const std::string text = o.resume > 0 ? std::string() : readFile(o.recipe);
    const auto result = training::runPipeline(text, store, options);
    if (global.json || world.rank != 0)
        return;
    std::printf("run %lld %s; checkpoint %s\n\n%s", static_cast<long long>(result.run), result.status.c_str(),
                result.finalCheckpoint.c_str(), training::formatEvaluationTable(result.evaluations).c_str());
}

} // namespace

void addTrainCommand(CLI::App& app, GlobalOptions& global)
{
    auto o = std::make_shared<TrainCommand>();
    auto* cmd = app.add_subcommand("train", "Run a recipe's training pipeline (or resume a run)");
    cmd->add_option("recipe", o->recipe, "Recipe TOML (ignored with --resume: the run keeps its own)");
    cmd->add_option("--resume", o->resume, "Continue this run from its last checkpoint");
    cmd->add_option("--run-dir", o->runRoot, "Folder for checkpoints (default: next to the database)");
    cmd->add_option("--db", global.db, "Run database")->capture_default_str();
    cmd->add_flag("--json", global.json, "JSON lines of progress on stdout");
    cmd->add_option("--nproc", o->nproc, "Train on this many local processes (ranks), data parallel")
        ->check(CLI::Range(1, 1024));
    cmd->callback([o, &global] {
        if (o->recipe.empty() && o->resume == 0)
            throw core::Error("", "recipe", "give a recipe file or --resume RUN");
        if (o->nproc > 1) {
            const auto outcome = training::launchLocalRanks(training::commandLineWithout("--nproc"), o->nproc);
            if (outcome.exitCode != 0)
                throw core::Error("train --nproc " + std::to_string(o->nproc), "",
                                  outcome.failure + ", the first rank to fail");
            return;
        }
        run(*o, global);
    });
}

} // namespace thinkbench::cli
