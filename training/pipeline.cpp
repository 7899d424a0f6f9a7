#include "training/pipeline.h"

#include "core/error.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "core/store/run_store.h"
#include "core/tasks/rewards/rewards.h"
#include "core/tasks/task.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/eval.h"
#include "inference/generator.h"
#include "inference/threads.h"
#include "training/grpo_loss.h"
#include "training/optimizer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>

namespace thinkbench::training {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

double seconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

uint64_t splitMix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Every random choice of a step comes from (seed, stage, step, purpose): a resumed run replays it.
std::mt19937_64 rngFor(int64_t seed, int stage, int64_t step, uint64_t purpose)
{
    return std::mt19937_64(splitMix(splitMix(splitMix(uint64_t(seed) ^ purpose) + uint64_t(stage)) +
                                    uint64_t(step)));
}

struct Example {
    std::string prompt;   // the question, before the chat template
    std::string response; // the completion after the template's generation prompt
};

// The recipe's task mix: problems drawn from each family in proportion to its weight.
class TaskMix {
public:
    explicit TaskMix(const core::Recipe& recipe)
    {
        for (const auto& t : recipe.tasks) {
            families_.push_back(core::makeTask(t.name, t.options));
            weights_.push_back(t.weight);
        }
    }
    bool empty() const { return families_.empty(); }
    const core::TaskFamily& family(const std::string& name) const
    {
        for (const auto& f : families_)
            if (f->name() == name)
                return *f;
        throw core::Error("", "tasks", "no task family \"" + name + "\" in the recipe");
    }
    std::vector<core::Problem> problems(core::Split split, int count, uint64_t seed) const
    {
        if (families_.empty())
            throw core::Error("", "tasks", "the recipe names no tasks");
        const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
        std::vector<core::Problem> out;
        for (size_t i = 0; i < families_.size(); ++i) {
            const int n = std::max(1, int(std::lround(count * weights_[i] / total)));
            auto part = core::generateProblems(*families_[i], split, n, splitMix(seed + i));
            out.insert(out.end(), part.begin(), part.end());
        }
        std::mt19937_64 rng(splitMix(seed ^ 0x5eed));
        std::shuffle(out.begin(), out.end(), rng);
        if (int(out.size()) > count)
            out.resize(size_t(count));
        return out;
    }

private:
    std::vector<std::unique_ptr<core::TaskFamily>> families_;
    std::vector<double> weights_;
};

struct Batch {
    at::Tensor ids;  // [B, T] int64
    at::Tensor mask; // [B, T-1] float: 1 where the target token is trained on
    int64_t tokens = 0;
};

// Right-padded: causal attention keeps the padding invisible to real tokens.
Batch makeBatch(const std::vector<std::vector<int32_t>>& seqs, const std::vector<size_t>& lossStart,
                int32_t pad, at::Device device)
{
    size_t width = 2;
    for (const auto& s : seqs)
        width = std::max(width, s.size());
    const int64_t B = int64_t(seqs.size()), T = int64_t(width);
    std::vector<int64_t> ids(size_t(B * T), pad);
    std::vector<float> mask(size_t(B * (T - 1)), 0.0f);
    Batch batch;
    for (int64_t b = 0; b < B; ++b) {
        for (size_t t = 0; t < seqs[b].size(); ++t)
            ids[size_t(b * T) + t] = seqs[b][t];
        for (size_t t = std::max<size_t>(lossStart[b], 1); t < seqs[b].size(); ++t) {
            mask[size_t(b * (T - 1)) + t - 1] = 1.0f;
            ++batch.tokens;
        }
    }
    batch.ids = torch::tensor(ids, torch::kInt64).view({B, T}).to(device);
    batch.mask = torch::tensor(mask, torch::kFloat).view({B, T - 1}).to(device);
    return batch;
}

struct Scored {
    at::Tensor logprobs; // [B, T-1] of each next token
    at::Tensor entropy;  // [B, T-1], no gradient
    at::Tensor expertLoad;
    std::vector<at::Tensor> routerScores;
};

Scored score(const core::Transformer& model, const at::Tensor& ids, bool withEntropy)
{
    auto out = model.forward(ids);
    const int64_t T = ids.size(1);
    const at::Tensor logp = at::log_softmax(out.logits.slice(1, 0, T - 1).to(at::kFloat), -1);
    Scored s;
    s.logprobs = logp.gather(-1, ids.slice(1, 1, T).unsqueeze(-1)).squeeze(-1);
    if (withEntropy) {
        torch::NoGradGuard noGrad;
        s.entropy = -(logp.exp() * logp).sum(-1);
    }
    s.expertLoad = out.expertLoad;
    s.routerScores = std::move(out.routerScores);
    return s;
}

double maskedMean(const at::Tensor& values, const at::Tensor& mask)
{
    const double n = mask.sum().item<double>();
    return n > 0 ? (values.detach() * mask).sum().item<double>() / n : 0.0;
}

// DeepSeek-V3's sequence-wise balance loss: alpha * sum_i f_i * P_i per sequence, averaged.
at::Tensor sequenceBalanceLoss(const std::vector<at::Tensor>& routerScores,
                               const std::vector<at::Tensor>& biases, int64_t B, int64_t T,
                               int topK, double alpha)
{
    at::Tensor loss = torch::zeros({}, torch::kFloat);
    for (size_t l = 0; l < routerScores.size(); ++l) {
        const at::Tensor s = routerScores[l].to(at::kFloat).view({B, T, -1});
        const int64_t E = s.size(2);
        const at::Tensor p = (s / s.sum(-1, true)).mean(1); // [B, E]
        at::Tensor f;
        {
            torch::NoGradGuard noGrad;
            at::Tensor select = s;
            if (l < biases.size())
                select = s + biases[l].to(s.device()).to(at::kFloat);
            const at::Tensor chosen = std::get<1>(select.topk(topK, -1));
            f = torch::zeros({B, T, E}, s.options()).scatter_(-1, chosen, 1.0).sum(1) *
                (double(E) / double(topK * T));
        }
        loss = loss.to(s.device()) + (f * p).sum(-1).mean();
    }
    return loss * alpha;
}

const std::vector<std::string> kReflection = {"wait", "let me check", "verify", "re-examine"};

bool reflects(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::any_of(kReflection.begin(), kReflection.end(),
                       [&](const std::string& p) { return text.find(p) != std::string::npos; });
}

void writeJsonAtomically(const fs::path& path, const json& value)
{
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp);
        out << value.dump(2) << "\n";
        if (!out)
            throw core::Error(tmp.string(), "", "cannot write");
    }
    fs::rename(tmp, path);
}

std::vector<Example> readExamples(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw core::Error(path, "", "cannot open the dataset");
    std::vector<Example> out;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        json j;
        try {
            j = json::parse(line);
        } catch (const json::exception& e) {
            throw core::Error(path, "line " + std::to_string(lineNo), e.what());
        }
        const char* promptKey = j.contains("prompt") ? "prompt" : "question";
        const char* responseKey = j.contains("response") ? "response" : "completion";
        if (!j.contains(promptKey) || !j[promptKey].is_string() || !j.contains(responseKey) ||
            !j[responseKey].is_string())
            throw core::Error(path, "line " + std::to_string(lineNo),
                              "needs string fields prompt (or question) and response (or completion)");
        out.push_back({j[promptKey].get<std::string>(), j[responseKey].get<std::string>()});
    }
    return out;
}

void writeExamples(const fs::path& path, const std::vector<Example>& examples,
                   const std::vector<core::Problem>& problems)
{
    fs::create_directories(path.parent_path());
    std::ofstream out(path);
    for (size_t i = 0; i < examples.size(); ++i)
        out << json{{"prompt", examples[i].prompt}, {"response", examples[i].response},
                    {"task", problems[i].task}, {"id", problems[i].id}}
                   .dump()
            << "\n";
    if (!out)
        throw core::Error(path.string(), "", "cannot write the dataset");
}

struct Pipeline {
    const core::Recipe& recipe;
    core::RunStore& store;
    const PipelineOptions& options;
    int64_t run = 0;
    fs::path runDir;
    at::ScalarType dtype = at::kFloat;
    at::Device device = at::kCPU;
    std::optional<core::Tokenizer> tokenizer;
    core::ChatTemplate chat{core::ChatTemplate::Family::R1Zero};
    std::unique_ptr<core::Transformer> model;
    int32_t eos = 0;
    TaskMix mix;
    int64_t globalStep = 0; // training steps completed in the run
    std::string checkpoint; // the latest checkpoint folder
    std::string resumeOptimizer;

    Pipeline(const core::Recipe& r, core::RunStore& s, const PipelineOptions& o)
        : recipe(r)
        , store(s)
        , options(o)
        , mix(r)
    {
    }

    void emit(json event) const
    {
        if (options.onEvent) {
            event["run"] = run;
            options.onEvent(event);
        }
    }
    bool stopRequested() const { return options.stop && options.stop->load(); }

    std::string promptText(const std::string& question) const
    {
        return chat.apply({{"user", question}}, true);
    }
    std::vector<int32_t> promptIds(const std::string& question) const
    {
        return tokenizer->encode(promptText(question), true);
    }
    std::string traceResponse(const std::string& reasoning, const std::string& answer) const
    {
        std::string trace = core::formatTrace(reasoning, answer);
        if (chat.opensThinking() && trace.starts_with("<think>\n"))
            trace = trace.substr(8);
        return trace;
    }
    std::vector<Example> workedExamples(const std::vector<core::Problem>& problems, uint64_t seed,
                                        const core::TraceStyle& style) const
    {
        std::vector<Example> out;
        for (size_t i = 0; i < problems.size(); ++i) {
            std::mt19937_64 rng(splitMix(seed + i));
            const auto [reasoning, answer] = mix.family(problems[i].task).solve(problems[i], rng, style);
            out.push_back({problems[i].prompt, traceResponse(reasoning, answer)});
        }
        return out;
    }

    core::RewardConfig rewardConfig(const core::RewardSettings& r, int maxTokens) const
    {
        core::RewardConfig c;
        c.accuracy = r.accuracy;
        c.format = r.format;
        c.language = r.language;
        c.length = r.length;
        c.repetition = r.repetition;
        c.strictFormat = r.strict_format;
        c.placement = chat.family() == core::ChatTemplate::Family::R1Zero
                          ? core::AnswerPlacement::AnswerTag
                          : core::AnswerPlacement::AfterThink;
        c.promptOpensThinking = chat.opensThinking();
        c.targetScript = r.target_script;
        c.maxTokens = maxTokens;
        c.overlongBuffer = r.overlong_buffer;
        c.repetitionNgram = r.repetition_ngram;
        return c;
    }

    fs::path stageDir(int index) const
    {
        char prefix[16];
        std::snprintf(prefix, sizeof prefix, "%02d-", index);
        return runDir / (prefix + recipe.stages[size_t(index)].name);
    }
    // "stage:NAME" -> that stage's folder; anything else is a path.
    fs::path resolveStage(const std::string& ref, const char* what) const
    {
        if (!ref.starts_with("stage:"))
            return ref;
        const std::string name = ref.substr(6);
        for (size_t i = 0; i < recipe.stages.size(); ++i)
            if (recipe.stages[i].name == name)
                return stageDir(int(i)) / what;
        throw core::Error(options.recipeFile, ref, "no stage named \"" + name + "\"");
    }

    std::unique_ptr<core::Transformer> freshModel(json config, uint64_t seed) const
    {
        config["vocab_size"] = tokenizer->vocabSize();
        config["eos_token_id"] = eos;
        torch::manual_seed(seed);
        return std::make_unique<core::Transformer>(core::ModelConfig::fromJson(config, options.recipeFile),
                                                   dtype, device);
    }

    // A stage with `init` starts from that model instead of the one the previous stage left.
    void startFromInit(int index)
    {
        const auto& init = recipe.stages[size_t(index)].init;
        if (!init.empty())
            model = std::make_unique<core::Transformer>(
                core::Transformer::load(resolveStage(init, "final").string(), dtype, device));
    }

    std::map<std::string, at::Tensor> trainable()
    {
        std::map<std::string, at::Tensor> out;
        for (auto& [name, p] : model->namedParameters())
            if (name.find("e_score_correction_bias") == std::string::npos) {
                p.requires_grad_(true);
                out.emplace(name, p);
            }
        return out;
    }

    void saveState(int index, int64_t stageStep, bool done)
    {
        writeJsonAtomically(runDir / "state.json", {{"stage_index", index},
                                                    {"stage_step", stageStep},
                                                    {"global_step", globalStep},
                                                    {"done", done},
                                                    {"checkpoint", checkpoint}});
    }

    void saveCheckpoint(int index, int64_t stageStep, bool done, const AdamW* optimizer,
                        const core::Transformer* reference)
    {
        const fs::path dir = stageDir(index) / (done ? std::string("final") : "step-" + std::to_string(stageStep));
        fs::create_directories(dir);
        model->save(dir.string());
        tokenizer->save((dir / "tokenizer.json").string());
        if (optimizer && !done)
            optimizer->save((dir / "optimizer.safetensors").string());
        if (reference && !done)
            core::writeSafetensors((dir / "reference.safetensors").string(), reference->namedParameters());
        checkpoint = dir.string();
        store.addCheckpoint({run, index, std::max<int64_t>(0, globalStep - 1), checkpoint, core::nowSeconds()});
        saveState(index, stageStep, done);
        emit({{"event", "checkpoint"}, {"stage", recipe.stages[size_t(index)].name},
              {"step", std::max<int64_t>(0, globalStep - 1)}, {"path", checkpoint}});
    }

    void moeMetrics(const at::Tensor& load, std::map<std::string, double>& m) const
    {
        if (!load.defined() || load.numel() == 0)
            return;
        const at::Tensor l = load.detach().to(at::kDouble).cpu();
        for (int64_t i = 0; i < l.size(0); ++i) {
            const at::Tensor row = l[i];
            const std::string key = "moe/layer" + std::to_string(i);
            m[key + "/max_min"] = row.max().item<double>() / std::max(1.0, row.min().item<double>());
            const double mean = row.mean().item<double>();
            m[key + "/cv"] = mean > 0 ? row.std(false).item<double>() / mean : 0.0;
        }
    }

    // Clipping, the AdamW step and the aux-loss-free bias update; returns the gradient norm.
    double update(std::map<std::string, at::Tensor>& params, AdamW& optimizer,
                  const core::OptimizerSettings& settings, double lr, const at::Tensor& load)
    {
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

    at::Tensor balanceLoss(const Scored& s, int64_t B, int64_t T) const
    {
        if (recipe.balance.sequence_alpha <= 0 || s.routerScores.empty())
            return {};
        return sequenceBalanceLoss(s.routerScores, model->selectionBiases(), B, T,
                                   model->config().num_experts_per_tok, recipe.balance.sequence_alpha);
    }

    struct MicroBatch {
        Batch batch;
        at::Tensor advantages; // [B]
        at::Tensor old, ref;   // log-probs under the sampling policy (mu > 1) and the reference
    };

    // A GRPO batch cut into passes of `size` sequences of similar length (0: one pass), each with
    // the log-probs that stay fixed through the inner updates.
    std::vector<MicroBatch> microBatches(const std::vector<std::vector<int32_t>>& seqs,
                                         const std::vector<size_t>& starts, const std::vector<double>& advantages,
                                         int size, bool keepOld, const core::Transformer* reference) const
    {
        std::vector<size_t> order(seqs.size());
        std::iota(order.begin(), order.end(), size_t(0));
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return seqs[a].size() < seqs[b].size(); });
        const size_t per = size > 0 ? size_t(size) : std::max<size_t>(1, order.size());
        std::vector<MicroBatch> out;
        for (size_t from = 0; from < order.size(); from += per) {
            std::vector<std::vector<int32_t>> part;
            std::vector<size_t> partStarts;
            std::vector<double> partAdvantages;
            for (size_t i = from; i < std::min(order.size(), from + per); ++i) {
                part.push_back(seqs[order[i]]);
                partStarts.push_back(starts[order[i]]);
                partAdvantages.push_back(advantages[order[i]]);
            }
            MicroBatch mb;
            mb.batch = makeBatch(part, partStarts, eos, device);
            mb.advantages = torch::tensor(partAdvantages, torch::kFloat).to(device);
            torch::NoGradGuard noGrad;
            if (keepOld)
                mb.old = score(*model, mb.batch.ids, false).logprobs;
            if (reference)
                mb.ref = score(*reference, mb.batch.ids, false).logprobs;
            out.push_back(std::move(mb));
        }
        return out;
    }

    core::EvalSettings firstEvalSettings() const
    {
        for (const auto& s : recipe.stages)
            if (s.kind == core::StageKind::Eval)
                return s.as<core::EvalSettings>();
        return {};
    }
    std::vector<core::Problem> heldOut(const core::EvalSettings& s) const
    {
        if (!s.dataset.empty()) {
            core::DatasetReport report;
            auto problems = core::loadDataset(s.dataset, report);
            if (s.limit > 0 && int(problems.size()) > s.limit)
                problems.resize(size_t(s.limit));
            return problems;
        }
        if (s.tasks.empty())
            return mix.problems(core::Split::HeldOut, s.limit, splitMix(uint64_t(recipe.seed) + 99));
        std::vector<core::Problem> out;
        for (size_t i = 0; i < s.tasks.size(); ++i) {
            auto part = core::generateProblems(*core::makeTask(s.tasks[i]), core::Split::HeldOut,
                                               std::max<int>(1, s.limit / int(s.tasks.size())),
                                               splitMix(uint64_t(recipe.seed) + 99 + i));
            out.insert(out.end(), part.begin(), part.end());
        }
        return out;
    }

    inference::EvalSummary evaluateNow(const core::EvalSettings& s, int index, const std::string& label)
    {
        inference::EvalOptions o;
        o.k = s.k;
        o.temperature = float(s.temperature);
        o.topP = float(s.top_p);
        o.maxNewTokens = s.max_new_tokens;
        o.seed = uint64_t(recipe.seed);
        o.chatTemplate = chat.name();
        const auto problems = heldOut(s);
        const auto result = inference::evaluate(*model, *tokenizer, problems, o, {}, options.stop);
        const int64_t step = std::max<int64_t>(0, globalStep - 1);
        inference::storeEvaluation(store, result, o, label, s.dataset.empty() ? "held-out task mix" : s.dataset,
                                   run, index, step);
        return result.summary;
    }

    // A non-finite value (a diverged step) is stored as 0: the store's values are NOT NULL.
    void writeMetrics(int index, int64_t step, const std::map<std::string, double>& metrics)
    {
        std::vector<core::MetricPoint> points;
        const double now = core::nowSeconds();
        for (const auto& [key, value] : metrics)
            points.push_back({run, index, step, key, std::isfinite(value) ? value : 0.0, now});
        store.appendMetrics(points);
    }

    // Metrics, samples, progress, periodic checkpoints and evaluations after one step; false when
    // a stop was requested (a checkpoint has been written then).
    bool endStep(int index, int64_t stageStep, int64_t total, std::map<std::string, double> metrics,
                 std::vector<core::SampleRecord> samples, const AdamW& optimizer,
                 const core::Transformer* reference)
    {
        const auto& stage = recipe.stages[size_t(index)];
        const int64_t step = globalStep;
        if (stage.eval_every > 0 && (stageStep + 1) % stage.eval_every == 0 && stageStep + 1 < total) {
            const core::EvalSettings s = firstEvalSettings();
            ++globalStep; // evaluations are stamped with the step they follow
            metrics["heldout/pass1"] = evaluateNow(s, index, stage.name + "@" + std::to_string(step)).pass1;
            --globalStep;
        }
        writeMetrics(index, step, metrics);
        for (auto& s : samples) {
            s.run = run;
            s.stage = index;
            s.step = step;
        }
        if (!samples.empty())
            store.addSamples(samples);
        ++globalStep;
        emit({{"event", "step"}, {"stage", stage.name}, {"stage_index", index},
              {"kind", std::string(core::stageKindName(stage.kind))}, {"step", step}, {"stage_step", stageStep + 1},
              {"total", total}, {"metrics", metrics}});
        const bool last = stageStep + 1 == total;
        if (!last && stopRequested()) {
            saveCheckpoint(index, stageStep + 1, false, &optimizer, reference);
            return false;
        }
        if (!last && stage.checkpoint_every > 0 && (stageStep + 1) % stage.checkpoint_every == 0)
            saveCheckpoint(index, stageStep + 1, false, &optimizer, reference);
        return true;
    }

    // Next-token loss on the batch's masked targets (plus the balance loss), backpropagated as
    // one of `accum` micro-batches; adds the batch's expert load to `load`.
    double backwardNextToken(const Batch& batch, int accum, at::Tensor& load)
    {
        const Scored sc = score(*model, batch.ids, false);
        at::Tensor l = -(sc.logprobs * batch.mask).sum() / batch.mask.sum().clamp_min(1);
        if (auto bl = balanceLoss(sc, batch.ids.size(0), batch.ids.size(1)); bl.defined())
            l = l + bl;
        (l / accum).backward();
        load = load.defined() ? load + sc.expertLoad : sc.expertLoad;
        return l.item<double>() / accum;
    }

    // The optimizer step of a pretrain or SFT step and the metrics it logs.
    std::map<std::string, double> nextTokenStepMetrics(std::map<std::string, at::Tensor>& params,
                                                       AdamW& optimizer, const core::OptimizerSettings& settings,
                                                       double lr, double loss, const at::Tensor& load,
                                                       double tokens, double t0)
    {
        std::map<std::string, double> m{{"loss", loss}, {"lr", lr}};
        m["grad_norm"] = update(params, optimizer, settings, lr, load);
        moeMetrics(load, m);
        const double dt = seconds() - t0;
        m["time/step"] = dt;
        m["tokens_per_s"] = tokens / dt;
        return m;
    }

    AdamW makeOptimizer(const core::OptimizerSettings& settings)
    {
        AdamW optimizer(settings);
        if (!resumeOptimizer.empty()) {
            optimizer.load(resumeOptimizer);
            resumeOptimizer.clear();
        }
        return optimizer;
    }

    // ---- pretrain -------------------------------------------------------------------------
    bool pretrain(int index, int64_t start)
    {
        const auto& s = recipe.stages[size_t(index)].as<core::PretrainSettings>();
        if (start == 0 && !s.model.empty())
            model = freshModel(s.model, uint64_t(recipe.seed) + uint64_t(index));
        const auto problems = mix.problems(core::Split::Train, s.corpus_size, splitMix(uint64_t(recipe.seed) + 1));
        // Plain worked solutions by default, as a base model would meet them in its corpus: the
        // chat template arrives with SFT or RL, and pretraining does not spend most of each window
        // on its preamble.
        const core::TraceStyle style{.selfCheckRate = 0.25, .mistakeRate = 0.05, .answerOnlyRate = s.answer_only};
        std::vector<int32_t> stream;
        for (size_t i = 0; i < problems.size(); ++i) {
            std::mt19937_64 rng(splitMix(uint64_t(recipe.seed) + 2 + i));
            const auto [reasoning, answer] = mix.family(problems[i].task).solve(problems[i], rng, style);
            const bool inTemplate = std::uniform_real_distribution<double>(0.0, 1.0)(rng) < s.templated;
            const std::string doc = inTemplate
                                        ? promptText(problems[i].prompt) + traceResponse(reasoning, answer)
                                        : problems[i].prompt + "\n" + core::formatTrace(reasoning, answer);
            const auto ids = tokenizer->encode(doc, true);
            stream.insert(stream.end(), ids.begin(), ids.end());
            stream.push_back(eos);
        }
        const int64_t window = s.seq_len + 1;
        if (int64_t(stream.size()) <= window)
            throw core::Error(options.recipeFile, "stages." + recipe.stages[size_t(index)].name + ".seq_len",
                              "the corpus is shorter than one sequence");
        auto params = trainable();
        AdamW optimizer = makeOptimizer(s.optimizer);
        for (int64_t step = start; step < s.steps; ++step) {
            const double t0 = seconds();
            auto rng = rngFor(recipe.seed, index, step, 1);
            std::uniform_int_distribution<size_t> pick(0, stream.size() - size_t(window));
            const double lr = scheduledLr(s.optimizer, step, s.steps);
            double loss = 0;
            at::Tensor load;
            const int accum = std::max(1, s.optimizer.grad_accumulation);
            for (int micro = 0; micro < accum; ++micro) {
                std::vector<std::vector<int32_t>> seqs;
                for (int b = 0; b < s.batch_size; ++b) {
                    const size_t at = pick(rng);
                    seqs.emplace_back(stream.begin() + long(at), stream.begin() + long(at) + window);
                }
                const Batch batch = makeBatch(seqs, std::vector<size_t>(seqs.size(), 1), eos, device);
                loss += backwardNextToken(batch, accum, load);
            }
            const auto m = nextTokenStepMetrics(params, optimizer, s.optimizer, lr, loss, load,
                                                double(s.batch_size * accum * s.seq_len), t0);
            if (!endStep(index, step, s.steps, m, {}, optimizer, nullptr))
                return false;
        }
        return true;
    }

    // ---- sft ------------------------------------------------------------------------------
    bool sft(int index, int64_t start, const std::vector<Example>& examples, const core::SftSettings& s)
    {
        if (examples.empty())
            throw core::Error(options.recipeFile, "stages." + recipe.stages[size_t(index)].name,
                              "the SFT dataset is empty");
        std::vector<std::vector<int32_t>> seqs;
        std::vector<size_t> starts;
        for (const auto& e : examples) {
            auto ids = promptIds(e.prompt);
            const size_t promptLen = ids.size();
            if (int(promptLen) + 1 >= s.max_seq_len)
                continue;
            const auto response = tokenizer->encode(e.response, true);
            ids.insert(ids.end(), response.begin(), response.end());
            ids.push_back(eos);
            if (int(ids.size()) > s.max_seq_len)
                ids.resize(size_t(s.max_seq_len));
            seqs.push_back(std::move(ids));
            starts.push_back(promptLen);
        }
        if (seqs.empty())
            throw core::Error(options.recipeFile, "stages." + recipe.stages[size_t(index)].name + ".max_seq_len",
                              "every prompt is longer than max_seq_len");
        const int64_t perEpoch = (int64_t(seqs.size()) + s.batch_size - 1) / s.batch_size;
        const int64_t total = s.steps > 0 ? s.steps : perEpoch * std::max(1, s.epochs);
        auto params = trainable();
        AdamW optimizer = makeOptimizer(s.optimizer);
        const int accum = std::max(1, s.optimizer.grad_accumulation);
        for (int64_t step = start; step < total; ++step) {
            const double t0 = seconds();
            const double lr = scheduledLr(s.optimizer, step, total);
            double loss = 0;
            int64_t tokens = 0;
            at::Tensor load;
            for (int micro = 0; micro < accum; ++micro) {
                const int64_t slot = step * accum + micro;
                const int64_t epoch = slot / perEpoch;
                std::vector<size_t> order(seqs.size());
                std::iota(order.begin(), order.end(), 0);
                auto rng = rngFor(recipe.seed, index, epoch, 2);
                std::shuffle(order.begin(), order.end(), rng);
                std::vector<std::vector<int32_t>> bs;
                std::vector<size_t> bstarts;
                for (int64_t i = 0; i < s.batch_size; ++i) {
                    const size_t k = order[size_t(((slot % perEpoch) * s.batch_size + i) % int64_t(seqs.size()))];
                    bs.push_back(seqs[k]);
                    bstarts.push_back(starts[k]);
                }
                const Batch batch = makeBatch(bs, bstarts, eos, device);
                loss += backwardNextToken(batch, accum, load);
                tokens += batch.ids.numel();
            }
            const auto m = nextTokenStepMetrics(params, optimizer, s.optimizer, lr, loss, load,
                                                double(tokens), t0);
            if (!endStep(index, step, total, m, {}, optimizer, nullptr))
                return false;
        }
        return true;
    }

    std::vector<Example> sftExamples(int index, const core::SftSettings& s)
    {
        if (s.dataset.empty()) {
            const auto problems = mix.problems(core::Split::Train, s.examples,
                                               splitMix(uint64_t(recipe.seed) + 1000 + uint64_t(index)));
            return workedExamples(problems, uint64_t(recipe.seed) + 2000 + uint64_t(index), {});
        }
        return readExamples(resolveStage(s.dataset, "data.jsonl").string());
    }

    // ---- sampling shared by rejection sampling and distillation ---------------------------
    std::vector<Example> rejectionSample(const core::Transformer& source, int index, int prompts, int k,
                                         double temperature, double topP, int maxNewTokens,
                                         bool requireCorrect, bool requireFormat, bool dropMixing,
                                         int maxTokens, std::vector<core::Problem>& kept,
                                         std::map<std::string, double>& metrics)
    {
        const auto problems = mix.problems(core::Split::Train, prompts,
                                           splitMix(uint64_t(recipe.seed) + 3000 + uint64_t(index)));
        const core::RewardConfig cfg = rewardConfig({}, maxNewTokens);
        inference::Generator generator(source, *tokenizer);
        std::vector<Example> out;
        std::set<std::pair<std::string, std::string>> seen;
        int generated = 0, correct = 0;
        const size_t chunk = 8;
        for (size_t b = 0; b < problems.size(); b += chunk) {
            std::vector<inference::GenerationRequest> requests;
            const size_t end = std::min(problems.size(), b + chunk);
            for (size_t i = b; i < end; ++i) {
                inference::GenerationRequest r;
                r.promptIds = promptIds(problems[i].prompt);
                r.params.temperature = float(temperature);
                r.params.topP = float(topP);
                r.params.maxNewTokens = maxNewTokens;
                r.params.seed = splitMix(uint64_t(recipe.seed) + 4000 + i);
                r.n = k;
                r.promptOpensThinking = chat.opensThinking();
                requests.push_back(std::move(r));
            }
            std::vector<inference::GenerationResult> results;
            {
                torch::NoGradGuard noGrad;
                results = generator.generate(requests, {}, options.stop);
            }
            for (const auto& r : results) {
                const auto& p = problems[b + size_t(r.request)];
                ++generated;
                const auto parts = core::computeRewards(r.text, int(r.ids.size()), p.truth, p.task, cfg);
                correct += parts.correct;
                if ((requireCorrect && !parts.correct) || (requireFormat && !parts.wellFormed))
                    continue;
                if (r.finish == inference::FinishReason::Length)
                    continue; // a cut-off trace teaches the model to ramble
                if (maxTokens > 0 && int(r.ids.size()) > maxTokens)
                    continue;
                if (dropMixing && core::languageConsistency(r.reasoning, "latin") < 0.99)
                    continue;
                if (!seen.insert({p.prompt, r.text}).second)
                    continue;
                out.push_back({p.prompt, r.text});
                kept.push_back(p);
            }
            emit({{"event", "step"}, {"stage", recipe.stages[size_t(index)].name}, {"stage_index", index},
                  {"kind", std::string(core::stageKindName(recipe.stages[size_t(index)].kind))},
                  {"step", globalStep}, {"stage_step", end}, {"total", problems.size()},
                  {"metrics", {{"generated", generated}, {"kept", out.size()}}}});
            if (stopRequested())
                break;
        }
        std::set<std::string> covered;
        for (const auto& p : kept)
            covered.insert(p.prompt);
        metrics["rs/generated"] = generated;
        metrics["rs/kept"] = double(out.size());
        metrics["rs/accuracy"] = generated ? double(correct) / generated : 0;
        metrics["rs/accept_rate"] = generated ? double(out.size()) / generated : 0;
        metrics["rs/prompts_covered"] = problems.empty() ? 0 : double(covered.size()) / problems.size();
        return out;
    }

    // A stage without training steps stamps its metrics with the step it follows.
    void writeStageMetrics(int index, const std::map<std::string, double>& metrics)
    {
        writeMetrics(index, std::max<int64_t>(0, globalStep - 1), metrics);
    }

    bool rejectionSampling(int index)
    {
        const auto& s = recipe.stages[size_t(index)].as<core::RejectionSamplingSettings>();
        std::unique_ptr<core::Transformer> loaded;
        if (!s.source.empty())
            loaded = std::make_unique<core::Transformer>(
                core::Transformer::load(resolveStage(s.source, "final").string(), dtype, device));
        std::vector<core::Problem> kept;
        std::map<std::string, double> metrics;
        const auto examples = rejectionSample(loaded ? *loaded : *model, index, s.prompts, s.k, s.temperature,
                                              s.top_p, s.max_new_tokens, s.require_correct, s.require_format,
                                              s.drop_language_mixing, s.max_tokens, kept, metrics);
        if (stopRequested())
            return false;
        const fs::path path = s.output.empty() ? stageDir(index) / "data.jsonl" : fs::path(s.output);
        writeExamples(path, examples, kept);
        writeStageMetrics(index, metrics);
        return true;
    }

    bool distill(int index, int64_t start)
    {
        const auto& s = recipe.stages[size_t(index)].as<core::DistillSettings>();
        const fs::path data = stageDir(index) / "data.jsonl";
        if (start == 0) {
            std::unique_ptr<core::Transformer> loaded;
            if (!s.teacher.empty())
                loaded = std::make_unique<core::Transformer>(
                    core::Transformer::load(resolveStage(s.teacher, "final").string(), dtype, device));
            std::vector<core::Problem> kept;
            std::map<std::string, double> metrics;
            const auto examples = rejectionSample(loaded ? *loaded : *model, index, s.prompts, s.k,
                                                  s.temperature, 1.0, s.max_new_tokens, true, true, false, 0,
                                                  kept, metrics);
            if (stopRequested())
                return false;
            if (examples.empty())
                throw core::Error(options.recipeFile, "stages." + recipe.stages[size_t(index)].name,
                                  "the teacher got none of its " + std::to_string(int(metrics["rs/generated"])) +
                                      " traces right and well-formed: nothing to distill");
            writeExamples(data, examples, kept);
            writeStageMetrics(index, metrics);
            // The student: a trained model named by init, or a new one of the student config.
            if (recipe.stages[size_t(index)].init.empty())
                model = freshModel(s.student, uint64_t(recipe.seed) + uint64_t(index));
            else
                startFromInit(index);
        }
        return sft(index, start, readExamples(data.string()), s.sft);
    }

    // Prompts to train on: a JSONL dataset of problems, or `count` drawn from the task mix.
    std::vector<core::Problem> trainingPool(const std::string& dataset, int count, uint64_t seed) const
    {
        if (dataset.empty())
            return mix.problems(core::Split::Train, count, seed);
        core::DatasetReport report;
        auto problems = core::loadDataset(resolveStage(dataset, "data.jsonl").string(), report);
        if (problems.empty())
            throw core::Error(dataset, "", "the dataset has no usable problems");
        return problems;
    }

    // ---- grpo -----------------------------------------------------------------------------
    bool grpo(int index, int64_t start)
    {
        const auto& stage = recipe.stages[size_t(index)];
        const auto& s = stage.as<core::GrpoSettings>();
        const auto pool = trainingPool(s.dataset, std::max(512, s.steps * s.prompts_per_step),
                                       splitMix(uint64_t(recipe.seed) + 5000 + uint64_t(index)));
        const core::RewardConfig cfg = rewardConfig(s.rewards, s.max_new_tokens);
        GrpoLossConfig lossCfg;
        lossCfg.epsLow = s.eps_low;
        lossCfg.epsHigh = s.eps_high;
        lossCfg.beta = s.beta;
        lossCfg.aggregation = s.loss_aggregation == "sequence-mean" ? LossAggregation::SequenceMean
                              : s.loss_aggregation == "constant"    ? LossAggregation::Constant
                                                                    : LossAggregation::TokenMean;
        lossCfg.constant = s.loss_constant > 0 ? s.loss_constant : s.max_new_tokens;
        std::unique_ptr<core::Transformer> reference;
        if (s.beta > 0) {
            torch::NoGradGuard noGrad; // a leaf copy outside the policy's graph
            reference = std::make_unique<core::Transformer>(model->clone());
            const fs::path saved = checkpoint.empty() ? fs::path() : fs::path(checkpoint) / "reference.safetensors";
            if (start > 0 && fs::exists(saved)) {
                core::SafetensorsFile file(saved.string());
                for (auto& [name, p] : reference->namedParameters())
                    p.copy_(file.tensor(name));
            }
            for (auto& [name, p] : reference->namedParameters())
                p.requires_grad_(false);
        }
        auto params = trainable();
        AdamW optimizer = makeOptimizer(s.optimizer);
        const int G = s.group_size;
        for (int64_t step = start; step < s.steps; ++step) {
            const double t0 = seconds();
            if (reference && s.ref_refresh_every > 0 && step > 0 && step % s.ref_refresh_every == 0) {
                torch::NoGradGuard noGrad;
                for (auto& [name, p] : reference->namedParameters())
                    p.copy_(model->namedParameters().at(name));
            }
            auto rng = rngFor(recipe.seed, index, step, 3);
            std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
            std::vector<const core::Problem*> problems;
            std::vector<inference::GenerationRequest> requests;
            for (int i = 0; i < s.prompts_per_step; ++i) {
                problems.push_back(&pool[pick(rng)]);
                inference::GenerationRequest r;
                r.promptIds = promptIds(problems.back()->prompt);
                r.params.temperature = float(s.temperature);
                r.params.topP = float(s.top_p);
                r.params.maxNewTokens = s.max_new_tokens;
                r.params.seed = rng();
                r.n = G;
                r.promptOpensThinking = chat.opensThinking();
                requests.push_back(std::move(r));
            }
            std::vector<inference::GenerationResult> results;
            {
                torch::NoGradGuard noGrad;
                inference::Generator generator(*model, *tokenizer);
                results = generator.generate(requests);
            }
            const double tGen = seconds() - t0;

            std::map<std::string, double> m;
            std::vector<double> rewards;
            std::vector<core::RewardParts> parts;
            int clipped = 0, reflections = 0;
            double lenSum = 0, lenMax = 0;
            for (const auto& r : results) {
                const auto* p = problems[size_t(r.request)];
                parts.push_back(core::computeRewards(r.text, int(r.ids.size()), p->truth, p->task, cfg));
                rewards.push_back(parts.back().total);
                for (const auto& [k, v] : parts.back().parts)
                    m["reward/" + k] += v / double(results.size());
                m["accuracy"] += parts.back().correct / double(results.size());
                m["format_rate"] += parts.back().wellFormed / double(results.size());
                lenSum += double(r.ids.size());
                lenMax = std::max(lenMax, double(r.ids.size()));
                clipped += r.finish == inference::FinishReason::Length;
                reflections += reflects(r.reasoning);
            }
            const at::Tensor rewardT = torch::tensor(rewards, torch::kDouble);
            const at::Tensor adv = groupAdvantages(rewardT, G, s.scale_rewards != "none");
            const at::Tensor groupStd = rewardT.view({-1, G}).std(1, false);
            const at::Tensor flat = (groupStd < 1e-9);
            m["reward/mean"] = rewardT.mean().item<double>();
            m["reward/std"] = rewardT.std(false).item<double>();
            m["advantage_std"] = adv.std(false).item<double>();
            m["zero_adv_groups"] = flat.to(at::kDouble).mean().item<double>();
            m["length/mean"] = lenSum / double(results.size());
            m["length/max"] = lenMax;
            m["length/clipped"] = double(clipped) / double(results.size());
            m["reflection_rate"] = double(reflections) / double(results.size());

            std::vector<std::vector<int32_t>> seqs;
            std::vector<size_t> starts;
            std::vector<double> keptAdv;
            const auto flatCpu = flat.cpu();
            for (size_t i = 0; i < results.size(); ++i) {
                if (s.dynamic_sampling && flatCpu[int64_t(i) / G].item<bool>())
                    continue; // DAPO: a group with one reward gives no signal
                const auto& r = results[i];
                auto ids = requests[size_t(r.request)].promptIds;
                starts.push_back(ids.size());
                ids.insert(ids.end(), r.ids.begin(), r.ids.end());
                if (r.finish == inference::FinishReason::Eos)
                    ids.push_back(eos);
                seqs.push_back(std::move(ids));
                keptAdv.push_back(adv[int64_t(i)].item<double>());
            }
            const double lr = scheduledLr(s.optimizer, step, s.steps);
            m["lr"] = lr;
            const double t1 = seconds();
            const std::vector<MicroBatch> micros =
                microBatches(seqs, starts, keptAdv, s.micro_batch_size, s.mu > 1, reference.get());
            int64_t tokens = 0;
            for (const auto& mb : micros)
                tokens += mb.batch.tokens;
            const BatchTotals batchTotals{double(tokens), double(seqs.size())};
            m["loss"] = 0;
            for (int inner = 0; inner < std::max(1, s.mu) && !micros.empty(); ++inner) {
                double loss = 0, kl = 0, clipLow = 0, clipHigh = 0, entropy = 0;
                at::Tensor load;
                for (const auto& mb : micros) {
                    const Scored sc = score(*model, mb.batch.ids, inner == 0);
                    const at::Tensor oldLp = s.mu > 1 ? mb.old : sc.logprobs.detach();
                    auto out = grpoLoss(sc.logprobs, oldLp, mb.ref, mb.advantages, mb.batch.mask, lossCfg, batchTotals);
                    at::Tensor l = out.loss;
                    const int64_t B = mb.batch.ids.size(0);
                    // The balance loss is a mean over sequences: each micro-batch adds its share.
                    if (auto bl = balanceLoss(sc, B, mb.batch.ids.size(1)); bl.defined())
                        l = l + bl * (double(B) / batchTotals.sequences);
                    l.backward();
                    const double share = double(mb.batch.tokens) / std::max(1.0, batchTotals.tokens);
                    loss += l.item<double>();
                    kl += out.kl * share;
                    clipLow += out.clipLowFraction * share;
                    clipHigh += out.clipHighFraction * share;
                    if (inner == 0)
                        entropy += maskedMean(sc.entropy, mb.batch.mask) * share;
                    load = load.defined() ? load + sc.expertLoad : sc.expertLoad;
                }
                if (inner == 0) {
                    m["loss"] = loss;
                    m["kl"] = kl;
                    m["clip/low"] = clipLow;
                    m["clip/high"] = clipHigh;
                    m["entropy"] = entropy;
                    moeMetrics(load, m);
                }
                m["grad_norm"] = update(params, optimizer, s.optimizer, lr, load);
            }
            const double tUpd = seconds() - t1;
            m["time/generation"] = tGen;
            m["time/update"] = tUpd;
            m["time/step"] = seconds() - t0;
            m["tokens_per_s"] = double(lenSum + double(tokens)) / (seconds() - t0);

            std::vector<core::SampleRecord> samples;
            for (size_t g = 0; g < results.size() && samples.size() < 4; g += size_t(G)) {
                const auto& r = results[g];
                core::SampleRecord rec;
                rec.prompt = problems[size_t(r.request)]->prompt;
                rec.completion = r.text;
                rec.rewardParts = json(parts[g].parts).dump();
                rec.reward = parts[g].total;
                rec.correct = parts[g].correct;
                rec.tokenCount = int(r.ids.size());
                rec.extracted = parts[g].extracted;
                rec.tokenLogprobs = r.tokenLogprobs;
                rec.tokenIds = r.ids;
                samples.push_back(std::move(rec));
            }
            if (!endStep(index, step, s.steps, m, std::move(samples), optimizer, reference.get()))
                return false;
        }
        return true;
    }

    bool evalStage(int index)
    {
        const auto& stage = recipe.stages[size_t(index)];
        const auto summary = evaluateNow(stage.as<core::EvalSettings>(), index, stage.name);
        if (stopRequested())
            return false;
        writeStageMetrics(index, {{"eval/pass1", summary.pass1},
                                  {"eval/cons_at_k", summary.consAtK},
                                  {"eval/pass_at_k", summary.passAtK},
                                  {"eval/mean_length", summary.meanLength},
                                  {"eval/format_rate", summary.formatRate}});
        emit({{"event", "eval"}, {"stage", stage.name}, {"stage_index", index},
              {"step", std::max<int64_t>(0, globalStep - 1)}, {"pass1", summary.pass1},
              {"cons_at_k", summary.consAtK}, {"pass_at_k", summary.passAtK},
              {"mean_length", summary.meanLength}, {"format_rate", summary.formatRate}});
        return true;
    }

    int64_t stageTotal(const core::StageSpec& st) const
    {
        switch (st.kind) {
        case core::StageKind::Pretrain:
            return st.as<core::PretrainSettings>().steps;
        case core::StageKind::Grpo:
            return st.as<core::GrpoSettings>().steps;
        case core::StageKind::Sft:
            return st.as<core::SftSettings>().steps;
        default:
            return 0;
        }
    }

    // Runs stage `index` from stageStep `start`; false when stopped.
    bool runStage(int index, int64_t start)
    {
        const auto& st = recipe.stages[size_t(index)];
        switch (st.kind) {
        case core::StageKind::Pretrain:
            return pretrain(index, start);
        case core::StageKind::Sft: {
            const auto& s = st.as<core::SftSettings>();
            return sft(index, start, sftExamples(index, s), s);
        }
        case core::StageKind::Grpo:
            return grpo(index, start);
        case core::StageKind::RejectionSampling:
            return rejectionSampling(index);
        case core::StageKind::Distill:
            return distill(index, start);
        case core::StageKind::Eval:
            return evalStage(index);
        }
        return true;
    }

    void setUpTokenizerAndModel(bool fromCheckpoint)
    {
        const fs::path saved = runDir / "tokenizer.json";
        if (fs::exists(saved)) {
            tokenizer = core::Tokenizer::fromFile(saved.string());
        } else if (!recipe.tokenizer.path.empty() || !recipe.model.path.empty()) {
            const std::string p = recipe.tokenizer.path.empty() ? recipe.model.path : recipe.tokenizer.path;
            tokenizer = fs::is_directory(p) ? core::Tokenizer::fromDirectory(p) : core::Tokenizer::fromFile(p);
        } else {
            // A byte-level BPE learned on the task mix's worked solutions and the prompt template.
            const auto problems = mix.problems(core::Split::Train, 1500, splitMix(uint64_t(recipe.seed) + 7));
            std::vector<std::string> texts;
            for (const auto& e : workedExamples(problems, uint64_t(recipe.seed) + 8, {}))
                texts.push_back(promptText(e.prompt) + e.response);
            core::BpeTrainerOptions o;
            o.vocabSize = recipe.tokenizer.vocab_size;
            tokenizer = core::trainByteLevelBpe(texts, o);
        }
        if (!fs::exists(saved)) {
            fs::create_directories(runDir);
            tokenizer->save(saved.string());
        }
        if (!recipe.tokenizer.chat_template.empty())
            chat = core::ChatTemplate::named(recipe.tokenizer.chat_template);
        else
            chat = core::ChatTemplate::forTokenizer(*tokenizer);
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
};

} // namespace

PipelineResult runPipeline(const std::string& recipeText, core::RunStore& store, const PipelineOptions& options)
{
    std::string text = recipeText;
    std::optional<core::RunInfo> info;
    if (options.resumeRun) {
        info = store.run(*options.resumeRun);
        if (!info)
            throw core::Error(store.path(), "run " + std::to_string(*options.resumeRun), "no such run");
        text = info->recipe;
    }
    const core::Recipe recipe = core::parseRecipe(text, options.recipeFile);
    Pipeline p(recipe, store, options);
    p.run = info ? info->id : store.createRun(recipe.name, text);
    const fs::path root = options.runRoot.empty()
                              ? fs::absolute(store.path()).parent_path() /
                                    (fs::path(store.path()).stem().string() + "-runs")
                              : fs::path(options.runRoot);
    p.runDir = root / ("run-" + std::to_string(p.run));
    try {
        p.dtype = inference::parseDtype(recipe.model.dtype, "model.dtype");
        p.device = inference::parseDevice(recipe.device, "device");
    } catch (const core::Error& e) {
        throw core::Error(options.recipeFile, e.place(), e.message());
    }
    inference::configureCpuThreads(p.device, recipe.threads);

    int firstStage = 0;
    int64_t firstStep = 0;
    bool fromCheckpoint = false;
    const fs::path statePath = p.runDir / "state.json";
    if (options.resumeRun && fs::exists(statePath)) {
        json state;
        try {
            std::ifstream in(statePath);
            state = json::parse(in);
            p.globalStep = state.at("global_step").get<int64_t>();
            p.checkpoint = state.at("checkpoint").get<std::string>();
            firstStage = state.at("stage_index").get<int>();
            firstStep = state.at("stage_step").get<int64_t>();
            if (state.at("done").get<bool>()) {
                ++firstStage;
                firstStep = 0;
            }
        } catch (const json::exception& e) {
            throw core::Error(statePath.string(), "", e.what());
        }
        fromCheckpoint = !p.checkpoint.empty();
        if (firstStep > 0 && fs::exists(fs::path(p.checkpoint) / "optimizer.safetensors"))
            p.resumeOptimizer = (fs::path(p.checkpoint) / "optimizer.safetensors").string();
    }
    if (options.resumeRun) // a run killed between checkpoints wrote steps it will now redo
        store.discardFromStep(p.run, p.globalStep);
    p.setUpTokenizerAndModel(fromCheckpoint);
    store.setRunStatus(p.run, "running");

    PipelineResult result;
    result.run = p.run;
    result.status = "finished";
    int current = firstStage;
    try {
        for (int i = firstStage; i < int(recipe.stages.size()); ++i) {
            current = i;
            const auto& st = recipe.stages[size_t(i)];
            store.beginStage(p.run, i, std::string(core::stageKindName(st.kind)), st.name,
                             core::stageSettingsJson(st).dump());
            p.emit({{"event", "stage_begin"}, {"stage", st.name}, {"stage_index", i},
                    {"kind", std::string(core::stageKindName(st.kind))}, {"total", p.stageTotal(st)}});
            const bool trains = st.kind == core::StageKind::Pretrain || st.kind == core::StageKind::Sft ||
                                st.kind == core::StageKind::Grpo || st.kind == core::StageKind::Distill;
            const int64_t start = i == firstStage ? firstStep : 0;
            if (start == 0 && st.kind != core::StageKind::Distill) // distill's teacher is the current model
                p.startFromInit(i);
            if (!p.runStage(i, start)) {
                store.setStageStatus(p.run, i, "stopped");
                result.status = "stopped";
                p.emit({{"event", "stage_end"}, {"stage", st.name}, {"stage_index", i}, {"status", "stopped"}});
                break;
            }
            if (trains)
                p.saveCheckpoint(i, 0, true, nullptr, nullptr);
            else
                p.saveState(i, 0, true);
            store.setStageStatus(p.run, i, "finished");
            p.emit({{"event", "stage_end"}, {"stage", st.name}, {"stage_index", i}, {"status", "finished"}});
        }
    } catch (...) {
        store.setStageStatus(p.run, current, "failed");
        store.setRunStatus(p.run, "failed");
        p.emit({{"event", "done"}, {"status", "failed"}});
        throw;
    }
    store.setRunStatus(p.run, result.status);
    result.finalCheckpoint = p.checkpoint;
    for (const auto& e : store.evaluations(p.run)) {
        if (!e.run || *e.run != p.run || e.stage < 0 || e.stage >= int(recipe.stages.size()))
            continue;
        const json summary = json::parse(e.summary);
        result.evaluations.push_back({e.stage, e.model, e.step, summary.value("pass@1", 0.0),
                                      summary.value("cons@k", 0.0), summary.value("mean_length", 0.0),
                                      summary.value("format_rate", 0.0)});
    }
    p.emit({{"event", "done"}, {"status", result.status}});
    return result;
}

std::string formatEvaluationTable(const std::vector<StageEvaluation>& rows)
{
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "%-28s %8s %8s %8s %10s %8s\n", "evaluation", "step", "pass@1",
                  "cons@k", "length", "format");
    out << line;
    for (const auto& r : rows) {
        std::snprintf(line, sizeof line, "%-28s %8lld %7.1f%% %7.1f%% %10.1f %7.1f%%\n", r.stage.c_str(),
                      static_cast<long long>(r.step), 100 * r.pass1, 100 * r.consAtK, r.meanLength,
                      100 * r.formatRate);
        out << line;
    }
    return out.str();
}

} // namespace thinkbench::training
