#include "training/stage_context.h"

#include "core/error.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/model/safetensors.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "core/tasks/held_out_set.h"
#include "core/text/think_tags.h"
#include "core/tokenizer/bpe_trainer.h"
#include "inference/peak_flops.h"
#include "training/distributed/data_parallel.h"
#include "training/distributed/split_evaluation.h"
#include "training/moe_balance.h"
#include "training/resume_state.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace thinkbench::training {

namespace fs = std::filesystem;
using json = nlohmann::json;

double monotonicSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

StageContext::StageContext(const core::Recipe& r, core::RunStore& s, const PipelineOptions& o)
    : recipe(r)
    , store(s)
    , options(o)
{
    for (const auto& task : r.tasks)
        mix.add(core::makeTask(task.name, task.options), task.weight);
}

void StageContext::prepare(bool fromCheckpoint)
{
    // The run folder keeps the tokenizer with its special tokens and chat template, so a resumed
    // run stops at the same end-of-sequence token as the run it continues.
    if (fs::exists(runDir / "tokenizer.json")) {
        tokenizer = core::Tokenizer::fromDirectory(runDir.string());
    } else if (!recipe.tokenizer.path.empty() || !recipe.model.path.empty()) {
        // A .gguf file carries its tokenizer in its metadata (tokenizer.ggml.*).
        const std::string path = recipe.tokenizer.path.empty() ? recipe.model.path : recipe.tokenizer.path;
        tokenizer = core::openTokenizer(path);
    } else {
        // A byte-level BPE learned on the task mix's worked solutions and the prompt template.
        const auto problems = mix.problems(core::Split::Train, 1500, seedAt(7));
        std::vector<std::string> texts;
        for (const auto& e : workedExamples(problems, uint64_t(recipe.seed) + 8, {}))
            texts.push_back(promptText(e.prompt) + e.response);
        core::BpeTrainerOptions o;
        o.vocabSize = recipe.tokenizer.vocab_size;
        tokenizer = core::trainByteLevelBpe(texts, o);
    }
    if (writes() && !fs::exists(runDir / "tokenizer.json")) {
        fs::create_directories(runDir);
        tokenizer->saveDirectory(runDir.string());
    }
    chat = recipe.tokenizer.chat_template.empty() ? core::ChatTemplate::forTokenizer(*tokenizer)
                                                  : core::ChatTemplate::named(recipe.tokenizer.chat_template);
    const auto eosId = tokenizer->eosId() ? tokenizer->eosId() : tokenizer->tokenToId("<|endoftext|>");
    if (!eosId)
        throw core::Error(options.recipeFile, "tokenizer", "the tokenizer has no end-of-sequence token");
    eos = *eosId;
    if (fromCheckpoint)
        model = std::make_unique<core::Transformer>(core::Transformer::load(checkpoint, dtype, device));
    else if (!recipe.model.path.empty())
        model = std::make_unique<core::Transformer>(core::Transformer::load(recipe.model.path, dtype, device));
    else
        model = freshModel(recipe.model.config, uint64_t(recipe.seed));
}

// ---- progress ---------------------------------------------------------------------------------

void StageContext::emit(json event) const
{
    if (options.onEvent) {
        event["run"] = run;
        options.onEvent(event);
    }
}

bool StageContext::stopRequested() const
{
    if (options.stop && options.stop->load())
        return true;
    // A GUI that did not start the run asks through the store: one tiny SELECT, at most once a second.
    if (const double now = monotonicSeconds(); !storeStop && now - lastStopPoll >= 1.0) {
        lastStopPoll = now;
        storeStop = store.stopRequested(run);
    }
    return storeStop;
}

bool StageContext::writes() const
{
    return !options.group || options.group->rank() == 0;
}

std::string StageContext::settingPath(int index, const std::string& key) const
{
    const std::string stage = "stages." + recipe.stages[size_t(index)].name;
    return key.empty() ? stage : stage + "." + key;
}

// ---- prompts and worked solutions -------------------------------------------------------------

std::string StageContext::promptText(const std::string& question) const
{
    return chat.apply({{"user", question}}, true);
}

std::vector<int32_t> StageContext::promptIds(const std::string& question) const
{
    return tokenizer->encode(promptText(question), true);
}

std::string StageContext::traceResponse(const std::string& reasoning, const std::string& answer) const
{
    // A template that opens the thought itself leaves the completion to start inside it.
    const std::string opened = std::string(core::kThinkOpen) + "\n";
    std::string trace = core::formatTrace(reasoning, answer);
    if (chat.opensThinking() && trace.starts_with(opened))
        trace = trace.substr(opened.size());
    return trace;
}

std::vector<Example> StageContext::workedExamples(const std::vector<core::Problem>& problems, uint64_t seed,
                                                  const core::TraceStyle& style) const
{
    std::vector<Example> out;
    for (size_t i = 0; i < problems.size(); ++i) {
        std::mt19937_64 rng(core::splitMix(seed + i));
        const auto [reasoning, answer] = mix.family(problems[i].task).solve(problems[i], rng, style);
        out.push_back({problems[i].prompt, traceResponse(reasoning, answer)});
    }
    return out;
}

std::vector<core::Problem> StageContext::trainingPool(const std::string& dataset, int count, uint64_t seed) const
{
    if (dataset.empty())
        return mix.problems(core::Split::Train, count, seed);
    core::DatasetReport report;
    auto problems = core::loadDataset(resolveStage(dataset, "data.jsonl").string(), report);
    if (problems.empty())
        throw core::Error(dataset, "", "the dataset has no usable problems");
    return problems;
}

// ---- models -----------------------------------------------------------------------------------

fs::path StageContext::stageDir(int index) const
{
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%02d-", index);
    return runDir / (prefix + recipe.stages[size_t(index)].name);
}

fs::path StageContext::resolveStage(const std::string& ref, const char* what) const
{
    if (!ref.starts_with("stage:"))
        return ref;
    const std::string name = ref.substr(6);
    for (size_t i = 0; i < recipe.stages.size(); ++i)
        if (recipe.stages[i].name == name)
            return stageDir(int(i)) / what;
    throw core::Error(options.recipeFile, ref, "no stage named \"" + name + "\"");
}

std::unique_ptr<core::Transformer> StageContext::loadModel(const std::string& ref) const
{
    return std::make_unique<core::Transformer>(
        core::Transformer::load(resolveStage(ref, "final").string(), dtype, device));
}

std::unique_ptr<core::Transformer> StageContext::freshModel(json config, uint64_t seed) const
{
    config["vocab_size"] = tokenizer->vocabSize();
    config["eos_token_id"] = eos;
    torch::manual_seed(seed);
    return std::make_unique<core::Transformer>(core::ModelConfig::fromJson(config, options.recipeFile), dtype, device);
}

void StageContext::startFromInit(int index)
{
    const auto& init = recipe.stages[size_t(index)].init;
    if (!init.empty())
        model = loadModel(init);
}

// ---- optimisation -----------------------------------------------------------------------------

std::map<std::string, at::Tensor> StageContext::trainable()
{
    std::map<std::string, at::Tensor> out;
    for (auto& [name, p] : model->namedParameters())
        if (name.find("e_score_correction_bias") == std::string::npos) {
            p.requires_grad_(true);
            out.emplace(name, p);
        }
    return out;
}

AdamW StageContext::makeOptimizer(const core::OptimizerSettings& settings)
{
    AdamW optimizer(settings);
    if (!resumeOptimizer.empty()) {
        optimizer.load(resumeOptimizer);
        resumeOptimizer.clear();
    }
    return optimizer;
}

double StageContext::update(std::map<std::string, at::Tensor>& params, AdamW& optimizer,
                            const core::OptimizerSettings& settings, double lr, const at::Tensor& load)
{
    if (options.group)
        allReduceGradients(*options.group, params);
    const double norm = clipGradNorm(params, settings.grad_clip);
    optimizer.step(params, lr);
    for (auto& [name, p] : params)
        p.mutable_grad() = at::Tensor();
    if (load.defined() && load.numel() > 0 && recipe.balance.bias_update > 0) {
        auto biases = model->selectionBiases();
        for (size_t l = 0; l < biases.size() && int64_t(l) < load.size(0); ++l)
            updateSelectionBias(biases[l], load[int64_t(l)], recipe.balance.bias_update);
    }
    return norm;
}

at::Tensor StageContext::balanceLoss(const Scored& scored, int64_t B, int64_t T) const
{
    if (recipe.balance.sequence_alpha <= 0 || scored.routerScores.empty())
        return {};
    return sequenceBalanceLoss(scored.routerScores, model->selectionBiases(), B, T, model->config().num_experts_per_tok,
                               recipe.balance.sequence_alpha);
}

double StageContext::modelFlopsUtilisation(double forwardPasses, double tokens, int64_t context, double seconds) const
{
    const double peak = inference::peakFlopsPerSecond(device, dtype);
    if (peak <= 0 || seconds <= 0)
        return 0;
    return forwardPasses * model->flopsPerToken(context) * tokens / seconds / peak;
}

// ---- recording --------------------------------------------------------------------------------

void StageContext::writeMetrics(int index, int64_t step, const Metrics& metrics)
{
    if (!writes())
        return;
    std::vector<core::MetricPoint> points;
    const double now = core::nowSeconds();
    for (const auto& [key, value] : metrics)
        points.push_back({run, index, step, key, std::isfinite(value) ? value : 0.0, now});
    store.appendMetrics(points);
}

void StageContext::writeStageMetrics(int index, const Metrics& metrics)
{
    writeMetrics(index, completedStep(), metrics);
}

bool StageContext::endStep(int index, int64_t stageStep, int64_t total, Metrics metrics,
                           std::vector<core::SampleRecord> samples, const AdamW& optimizer,
                           const core::Transformer* reference)
{
    const auto& stage = recipe.stages[size_t(index)];
    const int64_t step = globalStep;
    if (stage.eval_every > 0 && (stageStep + 1) % stage.eval_every == 0 && stageStep + 1 < total) {
        ++globalStep; // evaluations are stamped with the step they follow
        const auto heldOut = evaluateNow(firstEvalSettings(), index, stage.name + "@" + std::to_string(step));
        metrics[std::string(core::metric::kHeldOutPass1)] = heldOut.pass1;
        metrics[std::string(core::metric::kHeldOutPass1Stderr)] = heldOut.pass1Stderr;
        --globalStep;
    }
    writeMetrics(index, step, metrics);
    for (auto& s : samples) {
        s.run = run;
        s.stage = index;
        s.step = step;
    }
    if (!samples.empty() && writes())
        store.addSamples(samples);
    ++globalStep;
    emit({{"event", "step"},
          {"stage", stage.name},
          {"stage_index", index},
          {"kind", std::string(core::stageKindName(stage.kind))},
          {"step", step},
          {"stage_step", stageStep + 1},
          {"total", total},
          {"metrics", metrics}});
    const bool last = stageStep + 1 == total;
    if (!last && agreeOnStop(options.group, stopRequested())) {
        saveCheckpoint(index, stageStep + 1, false, &optimizer, reference);
        return false;
    }
    if (!last && stage.checkpoint_every > 0 && (stageStep + 1) % stage.checkpoint_every == 0)
        saveCheckpoint(index, stageStep + 1, false, &optimizer, reference);
    return true;
}

void StageContext::saveState(int index, int64_t stageStep, bool done)
{
    if (!writes())
        return;
    writeResumeState(runDir / "state.json", {index, stageStep, globalStep, done, checkpoint});
}

void StageContext::saveCheckpoint(int index, int64_t stageStep, bool done, const AdamW* optimizer,
                                  const core::Transformer* reference)
{
    const fs::path dir = stageDir(index) / (done ? std::string("final") : "step-" + std::to_string(stageStep));
    if (!writes()) {
        checkpoint = dir.string();
        options.group->barrier(); // the next stage may read what rank 0 writes
        return;
    }
    fs::create_directories(dir);
    model->save(dir.string());
    tokenizer->saveDirectory(dir.string());
    if (optimizer && !done)
        optimizer->save((dir / "optimizer.safetensors").string());
    if (reference && !done)
        core::writeSafetensors((dir / "reference.safetensors").string(), reference->namedParameters());
    checkpoint = dir.string();
    store.addCheckpoint({run, index, completedStep(), checkpoint, core::nowSeconds()});
    saveState(index, stageStep, done);
    if (options.group)
        options.group->barrier();
    emit({{"event", "checkpoint"},
          {"stage", recipe.stages[size_t(index)].name},
          {"step", completedStep()},
          {"path", checkpoint}});
}

inference::EvalSummary StageContext::evaluateNow(const core::EvalSettings& s, int index, const std::string& label)
{
    inference::EvalOptions o;
    o.k = s.k;
    o.temperature = float(s.temperature);
    o.topP = float(s.top_p);
    o.maxNewTokens = s.max_new_tokens;
    o.seed = uint64_t(recipe.seed);
    o.chatTemplate = chat.name();
    const auto problems = core::drawHeldOut({s.tasks, s.dataset, s.limit}, uint64_t(recipe.seed), &mix);
    const auto result = evaluateAcrossRanks(options.group, *model, *tokenizer, problems, o, options.stop);
    const int64_t step = completedStep();
    if (writes())
        inference::storeEvaluation(store, result, o, label, s.dataset.empty() ? "held-out task mix" : s.dataset, run,
                                   index, step);
    return result.summary;
}

core::EvalSettings StageContext::firstEvalSettings() const
{
    for (const auto& s : recipe.stages)
        if (s.kind == core::StageKind::Eval)
            return s.as<core::EvalSettings>();
    return {};
}

} // namespace thinkbench::training
