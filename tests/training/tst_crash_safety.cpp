// kill -9 anywhere: `thinkbench-cli train` on a tiny recipe (pretrain, SFT, GRPO, rejection
// sampling, a second model's pretraining, evaluation), killed with SIGKILL at random moments
// (seeded) and resumed each time, ends with the weights, evaluations and metric steps of a run that
// was never killed, in a store that passes PRAGMA integrity_check. Distillation is left out: it
// needs a teacher whose traces are right, which no model trained in seconds has.

#include "core/model/safetensors.h"
#include "core/store/run_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include "tests/tiny_recipe.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

using namespace thinkbench;
namespace fs = std::filesystem;

namespace {

// A checkpoint after every step: what a kill falls back to.
const std::string kRecipe = tinyRecipe(R"(
name = "crash"
seed = 11
threads = 1
)",
                                       kTinyMoeModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 80
batch_size = 2
seq_len = 48
corpus_size = 40
checkpoint_every = 1

[[stages]]
kind = "sft"
name = "cold-start"
examples = 8
steps = 30
batch_size = 2
max_seq_len = 400
checkpoint_every = 1

[[stages]]
kind = "grpo"
name = "rl"
steps = 16
prompts_per_step = 2
group_size = 2
max_new_tokens = 12
beta = 0.01
checkpoint_every = 1

[[stages]]
kind = "rejection_sampling"
name = "rs"
prompts = 8
k = 2
max_new_tokens = 12
require_correct = false
require_format = false

[[stages]]
kind = "pretrain"
name = "student-base"
steps = 30
batch_size = 2
seq_len = 48
corpus_size = 40
checkpoint_every = 1
model = { model_type = "qwen2", hidden_size = 16, intermediate_size = 32, num_hidden_layers = 1, num_attention_heads = 2, num_key_value_heads = 1, tie_word_embeddings = true }

[[stages]]
kind = "eval"
name = "final"
k = 4
limit = 64
max_new_tokens = 48
)");

// Where a progress event (a JSON line of `train --json`) stands in a run: the same for a step
// redone after a resume.
std::string eventKey(const QByteArray& line)
{
    const auto e = nlohmann::json::parse(line.toStdString(), nullptr, false);
    if (e.is_discarded() || !e.is_object())
        return {};
    return e.value("event", "") + "/" + e.value("stage", "") + "/" + std::to_string(e.value("step", int64_t(-1)));
}

struct Attempt {
    bool finished = false;
    bool killed = false;
    std::string lastStage; // of the last progress event before the end
    QString errors;
};

// One `train --json` run. With a target, it is killed with SIGKILL delayMs after its first progress
// event at or past that position of the uninterrupted run's events (`positions`).
Attempt train(const QStringList& args, const std::map<std::string, int>* positions = nullptr, int target = -1,
              int delayMs = 0, std::vector<std::string>* events = nullptr)
{
    QProcess cli;
    cli.start(THINKBENCH_CLI, args + QStringList{"--json"});
    if (!cli.waitForStarted(30000))
        return {false, false, {}, "did not start: " + cli.errorString()};
    Attempt a;
    bool& killed = a.killed;
    for (bool tried = false; !tried && cli.state() != QProcess::NotRunning;) {
        cli.waitForReadyRead(50);
        while (!tried && cli.canReadLine()) {
            const QByteArray line = cli.readLine();
            const std::string key = eventKey(line);
            if (key.empty())
                continue;
            a.lastStage = nlohmann::json::parse(line.toStdString()).value("stage", "");
            if (events)
                events->push_back(key);
            if (target < 0 || !positions)
                continue;
            const auto at = positions->find(key);
            if (at != positions->end() && at->second >= target) {
                QThread::msleep(static_cast<unsigned long>(delayMs)); // it runs on: any moment in the step
                killed = cli.state() == QProcess::Running;
                cli.kill();
                tried = true;
            }
        }
    }
    cli.waitForFinished(300000);
    a.errors = QString::fromUtf8(cli.readAllStandardError()) +
               QString(" (exit status %1, code %2)").arg(int(cli.exitStatus())).arg(cli.exitCode());
    a.finished = !killed && cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0;
    return a;
}

// Every stage's final weights, by stage folder and tensor name.
std::map<std::string, at::Tensor> finalWeights(const std::string& db)
{
    const fs::path run = fs::path(db).parent_path() / (fs::path(db).stem().string() + "-runs") / "run-1";
    std::map<std::string, at::Tensor> out;
    for (const auto& stage : fs::directory_iterator(run)) {
        if (!fs::exists(stage.path() / "final"))
            continue;
        const core::CheckpointReader reader((stage.path() / "final").string());
        for (const auto& name : reader.names())
            out[stage.path().filename().string() + "/" + name] = reader.tensor(name);
    }
    return out;
}

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT

private slots:
    void killNineAnywhere()
    {
        QTemporaryDir dir;
        const QString recipe = dir.filePath("crash.toml");
        std::ofstream(recipe.toStdString()) << kRecipe;
        const std::string wholeDb = dir.filePath("whole.sqlite").toStdString();
        const std::string killedDb = dir.filePath("killed.sqlite").toStdString();

        QElapsedTimer clock;
        clock.start();
        std::vector<std::string> events;
        const Attempt whole =
            train({"train", recipe, "--db", QString::fromStdString(wholeDb)}, nullptr, -1, 0, &events);
        QVERIFY2(whole.finished, qPrintable(whole.errors));
        const qint64 wholeMs = clock.elapsed();
        std::map<std::string, int> positions;
        for (size_t i = 0; i < events.size(); ++i)
            positions.emplace(events[i], int(i));

        // 20 kills at seeded random points of the run, spread over every stage (an event of the
        // stage, then 0-150 ms on), each attempt resuming the last; a kill before the run exists
        // starts it afresh. Bounded at 100 s.
        std::vector<std::pair<int, int>> stages; // first and last event position of each stage
        for (size_t i = 0; i < events.size(); ++i) {
            const std::string stage =
                events[i].substr(events[i].find('/') + 1, events[i].rfind('/') - events[i].find('/') - 1);
            if (events[i].rfind("stage_begin/", 0) == 0)
                stages.push_back({int(i), int(i)});
            else if (!stages.empty() && !stage.empty() && events[i].rfind("stage_end/", 0) != 0)
                stages.back().second = int(i);
        }
        QCOMPARE(stages.size(), size_t(6));
        std::mt19937 random(2121);
        std::uniform_int_distribution<int> delay(0, 150);
        std::vector<int> targets;
        for (size_t i = 0; i < stages.size(); ++i)
            for (size_t k = 0; k < (i < 2 ? 4u : 3u); ++k)
                targets.push_back(std::uniform_int_distribution<int>(stages[i].first, stages[i].second)(random));
        std::sort(targets.begin(), targets.end());
        std::map<std::string, int> killedIn;
        int kills = 0, attempts = 0;
        bool finished = false;
        clock.restart();
        while (!finished && attempts < 100) {
            const bool started = fs::exists(killedDb) && core::RunStore(killedDb).run(1).has_value();
            QStringList args = {"train", "--db", QString::fromStdString(killedDb)};
            args += started ? QStringList{"--resume", "1"} : QStringList{recipe};
            const bool kill = kills < int(targets.size()) && clock.elapsed() < 100000;
            const Attempt a = train(args, &positions, kill ? targets[size_t(kills)] : -1, delay(random));
            ++attempts;
            finished = a.finished;
            if (!finished && !a.killed)
                QFAIL(qPrintable("train failed: " + a.errors));
            if (a.killed) {
                ++kills;
                ++killedIn[a.lastStage];
                finished = core::RunStore(killedDb).run(1)->status == "finished"; // killed on its way out
            }
        }
        QStringList where;
        for (const auto& [stage, count] : killedIn)
            where << QString("%1 in %2").arg(count).arg(QString::fromStdString(stage));
        qInfo("%d SIGKILLs in %d attempts, %.1f s (%s); the uninterrupted run took %.1f s", kills, attempts,
              double(clock.elapsed()) / 1000, qPrintable(where.join(", ")), double(wholeMs) / 1000);
        QVERIFY2(kills >= 10, "fewer than 10 kills landed: the bound on the loop is too tight");

        core::RunStore a(wholeDb), b(killedDb);
        QCOMPARE(b.integrityCheck(), std::string("ok"));
        QCOMPARE(b.run(1)->status, std::string("finished"));

        const auto wa = finalWeights(wholeDb), wb = finalWeights(killedDb);
        QVERIFY(wa.size() > 50); // both models' final weights
        QCOMPARE(wb.size(), wa.size());
        for (const auto& [name, t] : wa)
            QVERIFY2(at::equal(t, wb.at(name)), name.c_str());

        const auto ea = a.evaluations(1), eb = b.evaluations(1);
        QCOMPARE(eb.size(), ea.size());
        for (size_t i = 0; i < ea.size(); ++i) {
            QCOMPARE(eb[i].stage, ea[i].stage);
            QCOMPARE(eb[i].step, ea[i].step);
            QCOMPARE(eb[i].summary, ea[i].summary);
        }

        // Every metric at every step once, as in the uninterrupted run, with the same values.
        QCOMPARE(b.metricKeys(1), a.metricKeys(1));
        for (const auto& key : a.metricKeys(1)) {
            const auto sa = a.series(1, key), sb = b.series(1, key);
            QVERIFY2(sb.size() == sa.size(), key.c_str());
            for (size_t i = 0; i < sa.size(); ++i) {
                QVERIFY2(sb[i].step == sa[i].step, key.c_str());
                if (key == "loss" || key.rfind("reward/", 0) == 0)
                    QVERIFY2(sb[i].value == sa[i].value, key.c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crash_safety.moc"
