#include "app/cli/commands.h"
#include "app/cli/remote_options.h"
#include "core/error.h"
#include "core/store/run_store.h"
#include "core/tasks/held_out_set.h"
#include "inference/eval.h"
#include "inference/threads.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace thinkbench::cli {

namespace {

struct EvalCommand {
    std::string model, tokenizer, task, dataset, dtype = "f32", device = "auto";
    int limit = 50;
    inference::EvalOptions options;
    inference::ModelOptions modelOptions;
};

void run(const EvalCommand& o, const GlobalOptions& global)
{
    if (o.task.empty() == o.dataset.empty())
        throw core::Error("", "--task", "give exactly one of --task and --dataset");
    // The same held-out problems a recipe with this seed evaluates on with tasks = [TASK].
    core::HeldOutSet set{.tasks = {}, .dataset = o.dataset, .limit = o.limit};
    if (!o.task.empty())
        set.tasks = {o.task};
    core::DatasetReport report;
    const std::vector<core::Problem> problems = core::drawHeldOut(set, o.options.seed, nullptr, &report);
    for (const auto& problem : report.problems)
        std::cerr << "skipped " << problem << "\n";
    if (report.skipped > 0)
        std::cerr << report.skipped << " entries skipped, " << report.loaded << " loaded\n";
    inference::ModelOptions options = o.modelOptions;
    options.dtype = inference::parseDtype(o.dtype, "--dtype");
    options.device = inference::parseDevice(o.device, "--device");
    options.tokenizer = o.tokenizer;
    options.chatTemplate = o.options.chatTemplate;
    const auto model = inference::openChatModel(o.model, options);
    core::RunStore store(global.db); // opened first: a bad database fails before the work
    const auto result = inference::evaluate(*model, problems, o.options, [](int done, int total) {
        const int width = 30, filled = total ? width * done / total : width;
        std::fprintf(stderr, "\r[%.*s%*s] %d/%d problems", filled, "##############################", width - filled, "",
                     done, total);
        if (done == total)
            std::fprintf(stderr, "\n");
    });
    const std::string dataset = o.task.empty() ? o.dataset : o.task;
    const int64_t id = inference::storeEvaluation(store, result, o.options, o.model, dataset);
    const auto& s = result.summary;
    if (global.json) {
        std::cout << nlohmann::json{{"evaluation", id},
                                    {"db", global.db},
                                    {"problems", s.problems},
                                    {"k", s.k},
                                    {"pass@1", s.pass1},
                                    {"pass@1_stderr", s.pass1Stderr},
                                    {"cons@k", s.consAtK},
                                    {"pass@k", s.passAtK},
                                    {"mean_length", s.meanLength},
                                    {"format_rate", s.formatRate}}
                         .dump()
                  << "\n";
        return;
    }
    // pass@1 with its standard error in points, "39.0% ± 3.1" ("±" is two bytes: the field is one wider).
    char pass1[32];
    std::snprintf(pass1, sizeof pass1, "%.1f%% \u00b1 %.1f", 100 * s.pass1, 100 * s.pass1Stderr);
    std::printf("%-24s %8s %4s %14s %8s %8s %10s %8s\n", "dataset", "problems", "k", "pass@1", "cons@k", "pass@k",
                "mean len", "format");
    std::printf("%-24s %8d %4d %15s %7.1f%% %7.1f%% %10.1f %7.1f%%\n", dataset.substr(0, 24).c_str(), s.problems, s.k,
                pass1, 100 * s.consAtK, 100 * s.passAtK, s.meanLength, 100 * s.formatRate);
    std::printf("stored as evaluation %lld in %s\n", static_cast<long long>(id), global.db.c_str());
}

} // namespace

void addEvalCommand(CLI::App& app, GlobalOptions& global)
{
    auto o = std::make_shared<EvalCommand>();
    auto* cmd = app.add_subcommand("eval", "Evaluate a model: k samples per problem, pass@1, cons@k");
    cmd->add_option("--model", o->model, kModelHelp)->required();
    addRemoteOptions(cmd, o->modelOptions);
    cmd->add_option("--tokenizer", o->tokenizer,
                    "tokenizer.json, a model folder or a .gguf file (default: the model's)");
    cmd->add_option("--task", o->task, "Built-in task, e.g. arithmetic:digits=2 (held-out split)");
    cmd->add_option("--dataset", o->dataset, "JSONL or JSON problems");
    cmd->add_option("-k", o->options.k, "Samples per problem")->capture_default_str();
    cmd->add_option("--limit", o->limit, "At most this many problems")->capture_default_str();
    cmd->add_option("--temperature", o->options.temperature)->capture_default_str();
    cmd->add_option("--top-p", o->options.topP)->capture_default_str();
    cmd->add_option("--max-new-tokens", o->options.maxNewTokens)->capture_default_str();
    cmd->add_option("--seed", o->options.seed)->capture_default_str();
    cmd->add_option("--template", o->options.chatTemplate,
                    "Chat template: deepseek_r1, qwen, llama3 or r1_zero (default: the tokenizer's)");
    cmd->add_option("--dtype", o->dtype, "f32, bf16 or f16")->capture_default_str();
    cmd->add_option("--device", o->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--db", global.db, "Run database for the results")->capture_default_str();
    cmd->add_flag("--json", global.json, "Machine-readable summary");
    cmd->callback([o, &global] { run(*o, global); });
}

} // namespace thinkbench::cli
