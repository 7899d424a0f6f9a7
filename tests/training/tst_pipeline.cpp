// The pipeline end to end on a tiny MoE: every stage kind writes its rows into the store, and a run
// stopped midway and resumed ends with the same metrics and weights as one that never stopped.

#include "core/error.h"
#include "core/model/safetensors.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "core/store/sample_groups.h"
#include "training/pipeline.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include "tests/tiny_recipe.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace thinkbench;

namespace {

const std::string kRecipe = tinyRecipe(R"(
name = "tiny"
seed = 7
)",
                                       kTinyMoeModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 4
batch_size = 2
seq_len = 48
corpus_size = 40

[[stages]]
kind = "sft"
name = "cold-start"
examples = 8
steps = 3
batch_size = 2
max_seq_len = 400

[[stages]]
kind = "grpo"
name = "rl"
steps = 3
prompts_per_step = 2
group_size = 2
max_new_tokens = 12
beta = 0.01
mu = 2
micro_batch_size = 3

[[stages]]
kind = "rejection_sampling"
name = "rs"
prompts = 2
k = 2
max_new_tokens = 12
require_correct = false
require_format = false

[[stages]]
kind = "eval"
name = "final"
k = 1
limit = 2
max_new_tokens = 12
)");

struct Outcome {
    training::PipelineResult result;
    std::vector<core::SeriesPoint> loss, reward;
};

// The tiny recipe's base, then two GRPO steps on it with `options` (lines of the stage's table).
std::string baseThenGrpo(const std::string& options)
{
    const std::string recipe = kRecipe;
    return recipe.substr(0, recipe.find("[[stages]]\nkind = \"sft\"")) +
           "[[stages]]\nkind = \"grpo\"\nname = \"rl\"\nsteps = 2\nprompts_per_step = 2\ngroup_size = 2\n"
           "max_new_tokens = 12\n" +
           options;
}

std::map<std::string, at::Tensor> weights(const std::string& dir)
{
    core::CheckpointReader reader(dir);
    std::map<std::string, at::Tensor> out;
    for (const auto& name : reader.names())
        out[name] = reader.tensor(name);
    return out;
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT

private slots:
    void endToEnd()
    {
        QTemporaryDir dir;
        core::RunStore store(dir.filePath("runs.sqlite").toStdString());
        std::vector<std::string> events;
        training::PipelineOptions options;
        options.recipeFile = "tiny.toml";
        options.onEvent = [&](const nlohmann::json& e) { events.push_back(e.value("event", "")); };
        const auto result = training::runPipeline(kRecipe, store, options);
        QCOMPARE(result.status, std::string("finished"));
        QCOMPARE(store.lastStep(result.run), int64_t(4 + 3 + 3 - 1));
        QCOMPARE(store.series(result.run, "loss").size(), size_t(10));
        QCOMPARE(store.series(result.run, "reward/mean").size(), size_t(3));
        QCOMPARE(store.series(result.run, "eval/pass1").size(), size_t(1));
        QVERIFY(store.series(result.run, "moe/layer0/cv").size() == 10);
        QVERIFY(!store.samples({.run = result.run}).empty());
        // Model FLOPs utilisation of every training step: a share of the CPU's peak.
        const auto mfu = store.series(result.run, std::string(core::metric::kMfu));
        QCOMPARE(mfu.size(), size_t(10));
        for (const auto& point : mfu)
            QVERIFY2(point.value > 0 && point.value < 1, std::to_string(point.value).c_str());
        // GRPO samples carry the policy's entropy at each completion token, for the trace stepper.
        const auto grpoSamples = store.samples({.run = result.run, .stage = 2});
        QVERIFY(!grpoSamples.empty());
        for (const auto& sample : grpoSamples) {
            QCOMPARE(sample.tokenEntropies.size(), sample.tokenIds.size());
            for (float h : sample.tokenEntropies)
                QVERIFY(h >= 0 && std::isfinite(h));
        }
        // Sampler and trainer share weights and f32: their log-probs differ by rounding only.
        const auto mismatch = store.series(result.run, std::string(core::metric::kSamplerKl));
        QCOMPARE(mismatch.size(), size_t(3));
        for (const auto& point : mismatch)
            QVERIFY2(point.value >= 0 && point.value < 1e-5, std::to_string(point.value).c_str());
        QCOMPARE(store.stages(result.run).size(), size_t(5));
        for (const auto& st : store.stages(result.run))
            QCOMPARE(st.status, std::string("finished"));
        QCOMPARE(result.evaluations.size(), size_t(1));
        QVERIFY(std::filesystem::exists(result.finalCheckpoint + "/model.safetensors"));
        QVERIFY(std::filesystem::exists(dir.filePath("runs-runs/run-1/03-rs/data.jsonl").toStdString()));
        QCOMPARE(std::count(events.begin(), events.end(), "step") >= 10, true);
        QCOMPARE(events.back(), std::string("done"));
    }

    // The same at a sampling temperature other than 1 (the trainer recomputes the sampler's
    // log-probs at it) and with token-level truncated importance sampling on.
    void samplerTrainerMismatch()
    {
        QTemporaryDir dir;
        core::RunStore store(dir.filePath("runs.sqlite").toStdString());
        const auto result =
            training::runPipeline(baseThenGrpo("temperature = 0.7\nmismatch_correction = \"token\"\n"), store, {});
        QCOMPARE(result.status, std::string("finished"));
        const auto kl = store.series(result.run, std::string(core::metric::kSamplerKl));
        const auto maxLogRatio = store.series(result.run, std::string(core::metric::kSamplerMaxLogRatio));
        QCOMPARE(kl.size(), size_t(2));
        QCOMPARE(maxLogRatio.size(), size_t(2));
        const auto routing = store.series(result.run, std::string(core::metric::kRoutingMismatch));
        QCOMPARE(routing.size(), size_t(2)); // a metric with or without replay
        for (size_t i = 0; i < kl.size(); ++i) {
            qInfo("mismatch/kl %.3g, max |log ratio| %.3g, routing %.3g", kl[i].value, maxLogRatio[i].value,
                  routing[i].value);
            QVERIFY(kl[i].value >= 0 && kl[i].value < 1e-5);
            QVERIFY(maxLogRatio[i].value < 1e-3);
            QVERIFY(routing[i].value >= 0 && routing[i].value < 0.05);
        }
    }

    // Routing replay: the training forwards route every sampled position as the generator did, so
    // the routing mismatch is exactly 0, here beside masked importance sampling per sequence.
    void routingReplay()
    {
        QTemporaryDir dir;
        core::RunStore store(dir.filePath("runs.sqlite").toStdString());
        const auto result = training::runPipeline(
            baseThenGrpo("mu = 2\nrouting_replay = true\nmismatch_correction = \"sequence_mask\"\n"), store, {});
        QCOMPARE(result.status, std::string("finished"));
        const auto routing = store.series(result.run, std::string(core::metric::kRoutingMismatch));
        QCOMPARE(routing.size(), size_t(2));
        for (const auto& point : routing)
            QCOMPARE(point.value, 0.0);
    }

    // GRPO stores whole groups: all G completions of stored_groups prompts a step, each with the
    // advantage it trained with, which the stored rewards give back under the stage's scaling. A
    // base pretrained a little ends some completions early, so the length reward spreads groups.
    void storesWholeGroups()
    {
        QTemporaryDir dir;
        core::RunStore store(dir.filePath("runs.sqlite").toStdString());
        std::string recipe = kRecipe.substr(0, kRecipe.find("[[stages]]\nkind = \"sft\""));
        const std::string base = "steps = 4\nbatch_size = 2\nseq_len = 48\ncorpus_size = 40";
        recipe.replace(recipe.find(base), base.size(), "steps = 20\nbatch_size = 4\nseq_len = 64\ncorpus_size = 200");
        for (const std::string scaling : {"std", "none"})
            recipe += "[[stages]]\nkind = \"grpo\"\nname = \"rl-" + scaling +
                      "\"\nsteps = 3\nprompts_per_step = 4\ngroup_size = 3\nmax_new_tokens = 32\nstored_groups = 3\n"
                      "scale_rewards = \"" +
                      scaling +
                      "\"\nrewards = { accuracy = 1.0, format = 0.2, length = 0.5, overlong_buffer = 24 }\n\n";
        const auto result = training::runPipeline(recipe, store, {});
        QCOMPARE(result.status, std::string("finished"));
        int flat = 0, spread = 0;
        for (const int64_t step : store.sampleSteps(result.run)) {
            const auto groups = core::stepGroups(store, result.run, step);
            QCOMPARE(groups.size(), size_t(3));
            for (const auto& group : groups) {
                QCOMPARE(group.samples.size(), size_t(3));
                double sum = 0, squares = 0;
                for (const auto& sample : group.samples)
                    sum += sample.reward;
                const double mean = sum / 3;
                for (const auto& sample : group.samples)
                    squares += (sample.reward - mean) * (sample.reward - mean);
                const bool byStd = group.samples[0].stage == 1;
                const double scale = byStd ? std::sqrt(squares / 2) + 1e-4 : 1.0; // Bessel's correction, eps
                for (const auto& sample : group.samples) {
                    QVERIFY(sample.advantage.has_value());
                    QVERIFY2(std::abs(*sample.advantage - (sample.reward - mean) / scale) < 1e-9,
                             qPrintable(QString::number(*sample.advantage)));
                    if (group.zeroStd)
                        QCOMPARE(*sample.advantage, 0.0);
                }
                ++(group.zeroStd ? flat : spread);
            }
        }
        QCOMPARE(store.sampleSteps(result.run).size(), size_t(6));
        qInfo("%d zero-std groups, %d with a spread", flat, spread);
        QVERIFY(flat > 0 && spread > 0);
    }

    // distill-vs-rl's mechanics: a second, dense model pretrained in its own stage, then trained
    // two ways from that same start (init): fine-tuned, and by GRPO.
    void secondModelStartsTwoBranches()
    {
        std::string recipe = kRecipe;
        recipe = recipe.substr(0, recipe.find("[[stages]]")) + R"(
[[stages]]
kind = "pretrain"
name = "teacher"
steps = 2
batch_size = 2
seq_len = 48
corpus_size = 40

[[stages]]
kind = "pretrain"
name = "student-base"
steps = 2
batch_size = 2
seq_len = 48
corpus_size = 40
model = { model_type = "qwen2", hidden_size = 16, intermediate_size = 32, num_hidden_layers = 1, num_attention_heads = 2, num_key_value_heads = 1, tie_word_embeddings = true }

[[stages]]
kind = "sft"
name = "distilled"
init = "stage:student-base"
examples = 4
steps = 1
batch_size = 2

[[stages]]
kind = "grpo"
name = "rl-only"
init = "stage:student-base"
steps = 1
prompts_per_step = 1
group_size = 2
max_new_tokens = 8
beta = 0.0
optimizer = { lr = 0.0 }
)";
        QTemporaryDir dir;
        core::RunStore store(dir.filePath("runs.sqlite").toStdString());
        training::PipelineOptions options;
        options.recipeFile = "branches.toml";
        const auto result = training::runPipeline(recipe, store, options);
        QCOMPARE(result.status, std::string("finished"));
        const std::string runDir = dir.filePath("runs-runs/run-1/").toStdString();
        const auto config = [&](const std::string& stage) {
            std::ifstream in(runDir + stage + "/final/config.json");
            return nlohmann::json::parse(in);
        };
        QCOMPARE(config("00-teacher")["model_type"].get<std::string>(), std::string("deepseek_v3"));
        QCOMPARE(config("01-student-base")["model_type"].get<std::string>(), std::string("qwen2"));
        QCOMPARE(config("02-distilled")["hidden_size"].get<int>(), 16);
        // With lr 0 the RL branch ends where it started: the student base, not the distilled model.
        const auto base = weights(runDir + "01-student-base/final");
        const auto rl = weights(runDir + "03-rl-only/final");
        const auto distilled = weights(runDir + "02-distilled/final");
        for (const auto& [name, t] : base)
            QVERIFY2(at::equal(t, rl.at(name)), name.c_str());
        QVERIFY(!at::equal(base.at("model.norm.weight"), distilled.at("model.norm.weight")) ||
                !at::equal(base.at("model.embed_tokens.weight"), distilled.at("model.embed_tokens.weight")));
    }

    void resumeMatchesUninterrupted()
    {
        QTemporaryDir dir;
        Outcome whole, resumed;
        {
            core::RunStore store(dir.filePath("whole.sqlite").toStdString());
            training::PipelineOptions options;
            options.recipeFile = "tiny.toml";
            whole.result = training::runPipeline(kRecipe, store, options);
            whole.loss = store.series(whole.result.run, "loss");
            whole.reward = store.series(whole.result.run, "reward/mean");
        }
        core::RunStore store(dir.filePath("resumed.sqlite").toStdString());
        int stops = 0;
        for (int64_t stopAt : {2, 5, 8}) { // inside pretrain, SFT and GRPO
            std::atomic<bool> stop{false};
            training::PipelineOptions options;
            options.recipeFile = "tiny.toml";
            options.stop = &stop;
            options.onEvent = [&](const nlohmann::json& e) {
                if (e.value("event", "") == "step" && e.value("step", int64_t(-1)) == stopAt)
                    stop = true;
            };
            if (stopAt != 2)
                options.resumeRun = 1;
            const auto r = training::runPipeline(kRecipe, store, options);
            QCOMPARE(r.status, std::string("stopped"));
            QCOMPARE(store.run(1)->status, std::string("stopped"));
            ++stops;
        }
        training::PipelineOptions options;
        options.recipeFile = "tiny.toml";
        options.resumeRun = 1;
        resumed.result = training::runPipeline("", store, options);
        QCOMPARE(resumed.result.status, std::string("finished"));
        resumed.loss = store.series(1, "loss");
        resumed.reward = store.series(1, "reward/mean");
        QCOMPARE(stops, 3);
        QCOMPARE(resumed.loss.size(), whole.loss.size());
        for (size_t i = 0; i < whole.loss.size(); ++i) {
            QCOMPARE(resumed.loss[i].step, whole.loss[i].step);
            QCOMPARE(resumed.loss[i].value, whole.loss[i].value);
        }
        QCOMPARE(resumed.reward.size(), whole.reward.size());
        for (size_t i = 0; i < whole.reward.size(); ++i)
            QCOMPARE(resumed.reward[i].value, whole.reward[i].value);
        const auto a = weights(whole.result.finalCheckpoint);
        const auto b = weights(resumed.result.finalCheckpoint);
        QCOMPARE(a.size(), b.size());
        for (const auto& [name, t] : a)
            QVERIFY2(at::equal(t, b.at(name)), name.c_str());
    }

    // A damaged state.json stops the resume with the file named, and the run's rows stay.
    void malformedResumeStateNamesTheFile()
    {
        QTemporaryDir dir;
        core::RunStore store(dir.filePath("runs.sqlite").toStdString());
        training::PipelineOptions options;
        options.recipeFile = "tiny.toml";
        std::atomic<bool> stop{true}; // stops after the first step, with a checkpoint
        options.stop = &stop;
        const auto first = training::runPipeline(kRecipe, store, options);
        QCOMPARE(first.status, std::string("stopped"));
        const std::string state = dir.filePath("runs-runs/run-1/state.json").toStdString();
        std::ofstream(state) << "{\"stage_index\": 0, \"global_step\":";
        const size_t rows = store.series(first.run, "loss").size();
        options.stop = nullptr;
        options.resumeRun = first.run;
        try {
            training::runPipeline(kRecipe, store, options);
            QFAIL("a malformed state.json was accepted");
        } catch (const core::Error& e) {
            QVERIFY2(std::string(e.what()).find("state.json") != std::string::npos, e.what());
        }
        QCOMPARE(store.series(first.run, "loss").size(), rows);
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
