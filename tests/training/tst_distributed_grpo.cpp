// GRPO's global-batch quantities on several ranks (training/distributed/global_batch,
// rank_metrics): first the pieces on two ranks in one process (two threads, a real TCPStore and
// Gloo over loopback) against the one-rank answer over the union of their shares; then a GRPO run
// with scale_rewards = "batch" and top-entropy tokens on `thinkbench-cli train --nproc 2` against
// one rank, and what the store records of the two ranks.

#include "core/recipe/recipe.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "training/distributed/global_batch.h"
#include "training/distributed/process_group.h"
#include "training/distributed/rank_metrics.h"
#include "training/grpo_loss.h"

#include <torch/torch.h>

#include <QtTest>

#include "tests/training/distributed_harness.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <thread>
#include <tuple>

using namespace thinkbench;
using namespace distributed_test;

namespace {

// Runs body(group) on two ranks, one thread each, joined through 127.0.0.1; rethrows a failure.
void onTwoRanks(const std::function<void(training::ProcessGroup&)>& body)
{
    const int port = freePort();
    std::exception_ptr failed[2];
    std::vector<std::thread> ranks;
    for (int r = 0; r < 2; ++r)
        ranks.emplace_back([&, r] {
            try {
                training::World world;
                world.rank = r;
                world.size = 2;
                world.localRank = r;
                world.masterPort = port;
                auto group = training::ProcessGroup::rendezvous(world, std::chrono::seconds(30));
                core::DistributedSettings settings;
                settings.timeout_seconds = 30;
                group->connect(settings, c10::kCPU);
                body(*group);
                group->barrier();
            } catch (...) {
                failed[r] = std::current_exception();
            }
        });
    for (auto& t : ranks)
        t.join();
    for (const auto& f : failed)
        if (f)
            std::rethrow_exception(f);
}

at::Tensor doubles(std::vector<double> v)
{
    return torch::tensor(v, torch::kDouble);
}

// One GRPO stage of four prompts a step, the reward scale and top-entropy tokens of the whole batch.
std::string grpoStage(const char* name, const char* extra = "")
{
    return std::string(R"(
[[stages]]
kind = "grpo"
name = ")") +
           name + R"("
steps = 5
prompts_per_step = 4
group_size = 4
max_new_tokens = 12
temperature = 1.0
beta = 0.01
mu = 2
scale_rewards = "batch"
top_entropy_quantile = 0.5
stored_groups = 4
rewards = { length = 0.5, repetition = 0.5, overlong_buffer = 10, repetition_ngram = 2 }
)" + extra;
}

// GRPO with the whole batch's reward scale and the whole batch's top-entropy tokens: four prompts a
// step, two a rank, on the tiny MoE after a short pretraining and cold start; then again with
// dynamic sampling, which drops the flat groups: at some step both of one rank's groups, so that
// rank trains on nothing of its own while the other does.
std::string recipeText()
{
    return tinyRecipe(R"(
name = "data-parallel-grpo-batch"
seed = 9
threads = 1
)",
                      kTinyMoeModel,
                      kGrpoWarmUpStages + grpoStage("rl") + grpoStage("rl-dynamic", "dynamic_sampling = true\n"));
}

} // namespace

class TestDistributedGrpo : public QObject {
    Q_OBJECT

private slots:
    // Shares of unequal size: the ratio of the summed parts is the batch's, the mean of the ranks'
    // ratios is not (what mismatch/kl and mismatch/routing were before).
    void sumsMakeTheBatchRatio()
    {
        double ratio[2] = {};
        onTwoRanks([&](training::ProcessGroup& g) {
            double k3 = g.rank() == 0 ? 3.0 : 1.0, tokens = g.rank() == 0 ? 1.0 : 3.0;
            training::sumOverRanks(&g, {&k3, &tokens});
            ratio[g.rank()] = k3 / tokens;
        });
        QCOMPARE(ratio[0], 1.0);
        QCOMPARE(ratio[1], 1.0); // the mean of 3 and 1/3 would be 5/3
    }

    // Rank-ordered join of shares of any size, an empty one included; the top-entropy threshold of
    // the join is that of the union; the batch-scaled advantages of each share are the union's.
    void gatheredBatchGivesTheOneRankAnswer()
    {
        const at::Tensor entropy[2] = {doubles({0.1, 0.9, 0.5}), doubles({0.3, 0.2, 0.8, 0.7})};
        const at::Tensor rewards[2] = {doubles({1, 0, 0, 1, 1, 1, 1, 1}), doubles({0, 0, 0, 1, 2, 0, 1, 0})};
        const at::Tensor allEntropy = torch::cat({entropy[0], entropy[1]});
        at::Tensor joined[2], empty[2], advantages[2];
        onTwoRanks([&](training::ProcessGroup& g) {
            const int r = g.rank();
            joined[r] = training::gatherValues(&g, entropy[r]);
            empty[r] = training::gatherValues(&g, r == 0 ? doubles({}) : doubles({4.0}));
            const at::Tensor batch = training::gatherGroups(&g, rewards[r], 4);
            advantages[r] = training::groupAdvantages(rewards[r], 4, core::AdvantageScaling::BatchStd, batch);
        });
        for (int r = 0; r < 2; ++r) {
            QVERIFY(torch::equal(joined[r], allEntropy));
            QVERIFY(torch::equal(empty[r], doubles({4.0})));
        }
        for (const double q : {0.2, 0.5, 0.75})
            QCOMPARE(training::topEntropyThreshold(joined[0], q), training::topEntropyThreshold(allEntropy, q));
        // Rank r's group j is the batch's group 2j + r: one group each here, so the batch is [0's, 1's].
        const at::Tensor oneRank =
            training::groupAdvantages(torch::cat({rewards[0], rewards[1]}), 4, core::AdvantageScaling::BatchStd);
        QVERIFY(torch::allclose(torch::cat({advantages[0], advantages[1]}), oneRank, 0, 1e-12));
        const at::Tensor ownBatchOnly = training::groupAdvantages(rewards[0], 4, core::AdvantageScaling::BatchStd);
        QVERIFY(!torch::allclose(ownBatchOnly, advantages[0])); // the share's own std is another scale
    }

    // Sums add, maxima take the largest, the global batch's values stay, the rest are means; every
    // rank's own throughput reaches every rank, with the time it spent in collectives.
    void stepMetricsAndRankThroughput()
    {
        std::map<std::string, double> out[2];
        onTwoRanks([&](training::ProcessGroup& g) {
            const double r = g.rank();
            std::map<std::string, double> m{
                {"loss", 1 + r}, {"length/max", 10 * (1 + r)}, {"reward/mean", 0.25}, {"accuracy", r}};
            const double before = training::collectiveSecondsOf(&g);
            training::reduceStepMetrics(g, m, {"loss"}, {"length/max"}, {"reward/mean"});
            training::addRankMetrics(&g, m, 100 * (1 + r), before);
            out[g.rank()] = m;
        });
        for (const auto& m : out) {
            QCOMPARE(m.at("loss"), 3.0);
            QCOMPARE(m.at("length/max"), 20.0);
            QCOMPARE(m.at("reward/mean"), 0.25);
            QCOMPARE(m.at("accuracy"), 0.5);
            QCOMPARE(m.at(core::metric::distRankTokensPerSecond(0)), 100.0);
            QCOMPARE(m.at(core::metric::distRankTokensPerSecond(1)), 200.0);
            QVERIFY(m.at(std::string(core::metric::kDistCommSeconds)) > 0); // three collectives at least
        }
        QCOMPARE(training::collectiveSecondsOf(nullptr), 0.0);
    }

    // The whole pipeline: 2 ranks (two prompts each) against 1 rank (four prompts) with
    // scale_rewards = "batch" and top_entropy_quantile = 0.5, which need the global batch.
    void batchScaledTopEntropyGrpoTwoRanksEqualOneRank()
    {
        QTemporaryDir dir;
        const QString recipe = dir.filePath("grpo.toml");
        std::ofstream(recipe.toStdString()) << recipeText();
        const std::string one = dir.filePath("one.sqlite").toStdString();
        const std::string two = dir.filePath("two.sqlite").toStdString();
        const Outcome a = train({"train", recipe, "--db", QString::fromStdString(one)});
        QVERIFY2(a.ok, qPrintable(a.errors));
        const Outcome b = train({"train", recipe, "--db", QString::fromStdString(two), "--nproc", "2"});
        QVERIFY2(b.ok, qPrintable(b.errors));
        const double diff = maxRelativeDifference(finalWeights(one, {"02-rl", "03-rl-dynamic"}),
                                                  finalWeights(two, {"02-rl", "03-rl-dynamic"}));

        // The same completions with the same rewards and advantages; the advantages are scaled by
        // the std of the step's 16 rewards, which no rank holds alone.
        core::RunStore sa(one, core::OpenMode::ReadOnly), sb(two, core::OpenMode::ReadOnly);
        double worstAdvantage = 0;
        int moved = 0, oneRankIdle = 0; // steps of rl-dynamic where one rank's groups were all flat
        for (const int stage : {2, 3}) {
            const auto samplesA = sa.samples({.run = 1, .stage = stage});
            const auto samplesB = sb.samples({.run = 1, .stage = stage});
            QCOMPARE(samplesA.size(), size_t(5 * 4 * 4));
            QCOMPARE(samplesB.size(), samplesA.size());
            std::map<int64_t, std::vector<const core::SampleRecord*>> byStep;
            std::map<std::tuple<int64_t, int, std::string>, const core::SampleRecord*> byText;
            for (const auto& x : samplesA)
                byText[{x.step, x.groupIndex.value_or(-1), x.completion}] = &x;
            for (const auto& y : samplesB) {
                const auto it = byText.find({y.step, y.groupIndex.value_or(-1), y.completion});
                QVERIFY2(it != byText.end(), y.completion.c_str());
                const core::SampleRecord& x = *it->second;
                QCOMPARE(y.prompt, x.prompt);
                QCOMPARE(y.reward, x.reward);
                QVERIFY(x.advantage && y.advantage);
                worstAdvantage = std::max(worstAdvantage, std::abs(*y.advantage - *x.advantage));
                moved += *x.advantage != 0;
                byStep[y.step].push_back(&y);
            }
            for (const auto& [step, samples] : byStep) {
                std::map<int, std::vector<double>> groups;
                std::vector<double> rewards;
                for (const auto* s : samples) {
                    groups[*s->groupIndex].push_back(s->reward);
                    rewards.push_back(s->reward);
                }
                bool flatShare[2] = {true, true}; // group i was sampled by rank i % 2
                for (const auto& [group, r] : groups)
                    flatShare[group % 2] &=
                        *std::min_element(r.begin(), r.end()) == *std::max_element(r.begin(), r.end());
                oneRankIdle += stage == 3 && flatShare[0] != flatShare[1];
                const double batchStd = doubles(rewards).std(true).item<double>();
                for (const auto* s : samples) {
                    double groupMean = 0;
                    for (const double r : groups[*s->groupIndex])
                        groupMean += r / 4;
                    QVERIFY(std::abs(*s->advantage - (s->reward - groupMean) / (batchStd + 1e-4)) <= 1e-9);
                }
            }
        }
        const auto series = [](const core::RunStore& store, std::string_view key) {
            return store.series(1, std::string(key));
        };
        for (const auto key : {core::metric::kRewardStd, core::metric::kAdvantageStd, core::metric::kLoss,
                               core::metric::kKl, core::metric::kEntropy}) {
            const auto ma = series(sa, key), mb = series(sb, key);
            QCOMPARE(mb.size(), ma.size());
            for (size_t i = 0; i < ma.size(); ++i)
                QVERIFY2(std::abs(mb[i].value - ma[i].value) <= 1e-5 * std::max(1e-3, std::abs(ma[i].value)),
                         key.data());
        }
        qInfo("GRPO, scale_rewards = batch, top_entropy_quantile = 0.5, 5 steps, then 5 with dynamic sampling: "
              "weights max relative difference %.3g; 160 samples matched, %d with an advantage, advantages within "
              "%.2g; %d steps with one rank's groups all flat (1 rank %.1f s, 2 ranks %.1f s)",
              diff, moved, worstAdvantage, oneRankIdle, double(a.ms) / 1000, double(b.ms) / 1000);
        QVERIFY(moved > 0);
        QVERIFY2(oneRankIdle > 0, "no step left one rank without a group to train on");
        QVERIFY(worstAdvantage <= 1e-6);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));

        // The store records who ran each stage, and per step each rank's throughput and rank 0's
        // time in collectives: every step of every training stage (30 + 20 + 5 + 5).
        for (const auto& stage : sb.stages(1)) {
            QCOMPARE(stage.worldSize, 2);
            QCOMPARE(stage.backend, std::string("gloo"));
        }
        for (const auto& stage : sa.stages(1)) {
            QCOMPARE(stage.worldSize, 1);
            QCOMPARE(stage.backend, std::string());
        }
        for (const std::string& key :
             {core::metric::distRankTokensPerSecond(0), core::metric::distRankTokensPerSecond(1),
              std::string(core::metric::kDistCommSeconds)}) {
            const auto points = sb.series(1, key);
            QCOMPARE(points.size(), size_t(60));
            for (const auto& p : points)
                QVERIFY2(p.value > 0, key.c_str());
            QVERIFY(sa.series(1, key).empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestDistributedGrpo)
#include "tst_distributed_grpo.moc"
