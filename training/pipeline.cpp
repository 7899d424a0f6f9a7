#include "training/pipeline.h"

#include "core/error.h"
#include "core/store/run_store.h"
#include "inference/threads.h"
#include "training/distributed/process_group.h"
#include "training/resume_state.h"
#include "training/stage_context.h"
#include "training/stages/stages.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

namespace thinkbench::training {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Optimizer steps a stage announces in its stage_begin event (0 for stages without steps).
int64_t stageSteps(const core::StageSpec& stage)
{
    switch (stage.kind) {
    case core::StageKind::Pretrain:
        return stage.as<core::PretrainSettings>().steps;
    case core::StageKind::Grpo:
        return stage.as<core::GrpoSettings>().steps;
    case core::StageKind::Sft:
        return stage.as<core::SftSettings>().steps;
    default:
        return 0;
    }
}

bool trainsWeights(core::StageKind kind)
{
    return kind == core::StageKind::Pretrain || kind == core::StageKind::Sft || kind == core::StageKind::Grpo ||
           kind == core::StageKind::Distill;
}

// Runs stage `index` from stage step `start`; false when stopped.
bool runStage(StageContext& ctx, int index, int64_t start)
{
    switch (ctx.recipe.stages[size_t(index)].kind) {
    case core::StageKind::Pretrain:
        return runPretrain(ctx, index, start);
    case core::StageKind::Sft:
        return runSft(ctx, index, start);
    case core::StageKind::Grpo:
        return runGrpo(ctx, index, start);
    case core::StageKind::RejectionSampling:
        return runRejectionSampling(ctx, index);
    case core::StageKind::Distill:
        return runDistill(ctx, index, start);
    case core::StageKind::Eval:
        return runEvaluation(ctx, index);
    }
    return true;
}

// GRPO's prompts split evenly across `ranks` ranks.
void checkDataParallel(const core::Recipe& recipe, const PipelineOptions& options, int ranks)
{
    for (const auto& st : recipe.stages) {
        if (st.kind != core::StageKind::Grpo)
            continue;
        const auto& g = st.as<core::GrpoSettings>();
        if (g.prompts_per_step % ranks != 0)
            throw core::Error(options.recipeFile, "stages." + st.name + ".prompts_per_step",
                              "must be a multiple of the " + std::to_string(ranks) +
                                  " ranks: each samples an equal share of the prompts");
    }
}

} // namespace

PipelineResult runPipeline(const std::string& recipeText, core::RunStore& store, const PipelineOptions& options)
{
    ProcessGroup* group = options.group;
    const bool writer = !group || group->rank() == 0;
    std::string text = recipeText;
    std::optional<core::RunInfo> info;
    if (options.resumeRun && writer) {
        info = store.run(*options.resumeRun);
        if (!info)
            throw core::Error(store.path(), "run " + std::to_string(*options.resumeRun), "no such run");
        text = info->recipe;
    }
    if (group) // every rank runs rank 0's recipe, run and run folder
        text = group->shareFromRoot("recipe", text);
    const core::Recipe recipe = core::parseRecipe(text, options.recipeFile);
    StageContext p(recipe, store, options);
    try {
        p.dtype = inference::scalarType(recipe.model.dtype);
        p.device = inference::resolveDevice(recipe.device, "device");
    } catch (const core::Error& e) {
        throw core::Error(options.recipeFile, e.place(), e.message());
    }
    if (group) {
        checkDataParallel(recipe, options, group->size());
        if (p.device.is_cuda())
            p.device = at::Device(at::kCUDA, at::DeviceIndex(group->world().localRank));
        group->connect(recipe.distributed, p.device);
    }
    p.run = info ? info->id : writer ? store.createRun(recipe.name, text) : 0;
    const fs::path root = options.runRoot.empty() ? fs::absolute(store.path()).parent_path() /
                                                        (fs::path(store.path()).stem().string() + "-runs")
                                                  : fs::path(options.runRoot);
    p.runDir = root / ("run-" + std::to_string(p.run));
    if (group) {
        p.run = std::stoll(group->shareFromRoot("run", std::to_string(p.run)));
        p.runDir = group->shareFromRoot("run_dir", p.runDir.string());
    }
    inference::configureCpuThreads(p.device, recipe.threads);

    int firstStage = 0;
    int64_t firstStep = 0;
    const std::optional<ResumeState> state =
        options.resumeRun ? readResumeState(p.runDir / "state.json") : std::nullopt;
    if (state) {
        p.globalStep = state->globalStep;
        p.checkpoint = state->checkpoint;
        firstStage = state->nextStage();
        firstStep = state->nextStep();
        if (firstStep > 0 && fs::exists(fs::path(p.checkpoint) / "optimizer.safetensors"))
            p.resumeOptimizer = (fs::path(p.checkpoint) / "optimizer.safetensors").string();
    }
    if (options.resumeRun && writer) { // a run killed between checkpoints wrote steps it will now redo
        store.discardFromStep(p.run, p.globalStep);
        store.clearStopRequest(p.run); // the request that stopped it, or one that came too late
    }
    p.prepare(state && !p.checkpoint.empty());
    if (writer)
        store.setRunStatus(p.run, "running");

    PipelineResult result;
    result.run = p.run;
    result.status = "finished";
    int current = firstStage;
    try {
        for (int i = firstStage; i < int(recipe.stages.size()); ++i) {
            current = i;
            const auto& st = recipe.stages[size_t(i)];
            if (writer)
                store.beginStage(p.run, i, std::string(core::stageKindName(st.kind)), st.name,
                                 core::stageSettingsJson(st).dump(), group ? group->size() : 1,
                                 group ? group->backendName() : "");
            p.emit({{"event", "stage_begin"},
                    {"stage", st.name},
                    {"stage_index", i},
                    {"kind", std::string(core::stageKindName(st.kind))},
                    {"total", stageSteps(st)}});
            const int64_t start = i == firstStage ? firstStep : 0;
            if (start == 0 && st.kind != core::StageKind::Distill) // distill's teacher is the current model
                p.startFromInit(i);
            if (!runStage(p, i, start)) {
                if (writer)
                    store.setStageStatus(p.run, i, "stopped");
                result.status = "stopped";
                p.emit({{"event", "stage_end"}, {"stage", st.name}, {"stage_index", i}, {"status", "stopped"}});
                break;
            }
            if (trainsWeights(st.kind))
                p.saveCheckpoint(i, 0, true, nullptr, nullptr);
            else
                p.saveState(i, 0, true);
            if (writer)
                store.setStageStatus(p.run, i, "finished");
            p.emit({{"event", "stage_end"}, {"stage", st.name}, {"stage_index", i}, {"status", "finished"}});
        }
    } catch (...) {
        if (writer) {
            store.setStageStatus(p.run, current, "failed");
            store.setRunStatus(p.run, "failed");
        }
        p.emit({{"event", "done"}, {"status", "failed"}});
        throw;
    }
    if (group) // rank 0 serves the store: it leaves last
        group->barrier();
    if (!writer)
        return result;
    store.setRunStatus(p.run, result.status);
    result.finalCheckpoint = p.checkpoint;
    for (const auto& e : store.evaluations(p.run)) {
        if (!e.run || *e.run != p.run || e.stage < 0 || e.stage >= int(recipe.stages.size()))
            continue;
        const json summary = json::parse(e.summary);
        result.evaluations.push_back({e.stage, e.model, e.step, summary.value("pass@1", 0.0),
                                      summary.value("pass@1_stderr", 0.0), summary.value("cons@k", 0.0),
                                      summary.value("mean_length", 0.0), summary.value("format_rate", 0.0)});
    }
    p.emit({{"event", "done"}, {"status", result.status}});
    return result;
}

std::string formatEvaluationTable(const std::vector<StageEvaluation>& rows)
{
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "%-28s %8s %14s %8s %10s %8s\n", "evaluation", "step", "pass@1", "cons@k",
                  "length", "format");
    out << line;
    for (const auto& r : rows) {
        // "39.0% ± 3.1": the standard error in points; "±" is two bytes, so the field is one wider.
        char pass1[32];
        std::snprintf(pass1, sizeof pass1, "%.1f%% \u00b1 %.1f", 100 * r.pass1, 100 * r.pass1Stderr);
        std::snprintf(line, sizeof line, "%-28s %8lld %15s %7.1f%% %10.1f %7.1f%%\n", r.stage.c_str(),
                      static_cast<long long>(r.step), pass1, 100 * r.consAtK, r.meanLength, 100 * r.formatRate);
        out << line;
    }
    return out.str();
}

} // namespace thinkbench::training
