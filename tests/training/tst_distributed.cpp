// Training across processes (training/distributed): the torchrun environment; data parallel
// pretraining and SFT, GRPO, rejection sampling and evaluation on two ranks (`thinkbench-cli train
// --nproc 2`, and two hosts made of network namespaces) against one rank with the same global
// batch; and the faults: a rank killed or hung mid-stage, a cut link, a rendezvous nobody joins,
// Ctrl+C on the launcher. The survivor exits within the timeout naming the lost rank, the store
// stays sound, and --resume completes the run.

#include "core/error.h"
#include "core/store/run_store.h"
#include "training/distributed/world.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include "tests/training/distributed_harness.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>

using namespace thinkbench;
using namespace distributed_test;
namespace fs = std::filesystem;

class TestDistributed : public QObject {
    Q_OBJECT

private slots:
    void worldFromEnvironment()
    {
        using Env = std::map<std::string, std::string>;
        const auto world = [](const Env& env) {
            return training::worldFromEnvironment([&](const char* name) {
                const auto it = env.find(name);
                return it == env.end() ? nullptr : it->second.c_str();
            });
        };
        QCOMPARE(world({}).size, 1);
        const Env good{{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"MASTER_ADDR", "10.0.0.2"}, {"MASTER_PORT", "29600"}};
        const auto w = world(good);
        QCOMPARE(w.rank, 1);
        QCOMPARE(w.size, 4);
        QCOMPARE(w.localRank, 1); // LOCAL_RANK unset: one host
        QCOMPARE(w.masterAddr, std::string("10.0.0.2"));
        QCOMPARE(w.masterPort, 29600);
        const std::pair<const char*, const char*> bad[] = {
            {"RANK", "4"}, {"RANK", "one"}, {"WORLD_SIZE", "0"}, {"MASTER_PORT", "70000"}, {"LOCAL_RANK", "-1"}};
        for (const auto& [name, value] : bad) {
            Env env = good;
            env[name] = value;
            try {
                world(env);
                QFAIL(qPrintable(QString("%1=%2 was accepted").arg(name, value)));
            } catch (const core::Error& e) {
                QCOMPARE(e.place(), std::string(name));
            }
        }
        for (const char* missing : {"RANK", "MASTER_ADDR", "MASTER_PORT"}) {
            Env env = good;
            env.erase(missing);
            try {
                world(env);
                QFAIL(qPrintable(QString("no %1 was accepted").arg(missing)));
            } catch (const core::Error& e) {
                QCOMPARE(e.place(), std::string(missing));
            }
        }
    }

    void twoRanksEqualOneRank()
    {
        const std::string one = dir.filePath("one.sqlite").toStdString();
        const std::string two = dir.filePath("two.sqlite").toStdString();
        const Outcome a = train({"train", recipe(), "--db", QString::fromStdString(one)});
        QVERIFY2(a.ok, qPrintable(a.errors));
        const Outcome b = train({"train", recipe(), "--db", QString::fromStdString(two), "--nproc", "2"});
        QVERIFY2(b.ok, qPrintable(b.errors));
        const auto wa = finalWeights(one), wb = finalWeights(two);
        QVERIFY(wa.size() > 20);
        QCOMPARE(wb.size(), wa.size());
        const double diff = maxRelativeDifference(wa, wb);
        qInfo("pretrain + SFT, 5 steps each: max relative difference %.3g (1 rank %.1f s, 2 ranks %.1f s)", diff,
              double(a.ms) / 1000, double(b.ms) / 1000);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));

        // One writer: rank 0's store has the run once, with the global batch's loss at every step.
        core::RunStore sa(one), sb(two);
        QCOMPARE(sb.listRuns().size(), size_t(1));
        const auto la = sa.series(1, "loss"), lb = sb.series(1, "loss");
        QCOMPARE(lb.size(), size_t(10));
        QCOMPARE(lb.size(), la.size());
        for (size_t i = 0; i < la.size(); ++i) {
            QCOMPARE(lb[i].step, la[i].step);
            QVERIFY2(std::abs(lb[i].value - la[i].value) <= 1e-5 * std::abs(la[i].value),
                     qPrintable(QString::number(i)));
        }
        twoRankWeights = wb;
    }

    void lostRankStopsTheOther()
    {
        QVERIFY2(!twoRankWeights.empty(), "needs twoRanksEqualOneRank");
        const std::string db = dir.filePath("lost.sqlite").toStdString();
        pid_t survivor = 0;
        QElapsedTimer sinceKill;
        qint64 survivorMs = -1;
        const Outcome killed = train({"train", recipe(), "--db", QString::fromStdString(db), "--nproc", "2"},
                                     [&](const nlohmann::json& e, QProcess& launcher) {
                                         if (survivor || e.value("event", "") != "step" ||
                                             e.value("stage", "") != "base" || e.value("stage_step", 0) != 3)
                                             return;
                                         const auto ranks = ranksOf(launcher.processId());
                                         QCOMPARE(ranks.size(), size_t(2));
                                         survivor = ranks.at(0);
                                         ::kill(ranks.at(1), SIGKILL);
                                         sinceKill.start();
                                         while (!exited(survivor) && sinceKill.elapsed() < 60000)
                                             QThread::msleep(10);
                                         survivorMs = sinceKill.elapsed();
                                     });
        QVERIFY2(survivor > 0, "no step 3 event came");
        QVERIFY2(!killed.ok, "the launcher succeeded with a rank killed");
        qInfo("SIGKILL of rank 1 to the exit of rank 0: %.2f s (timeout 20 s)", double(survivorMs) / 1000);
        QVERIFY2(survivorMs >= 0 && survivorMs < 20000, qPrintable(killed.errors));
        QVERIFY2(killed.errors.contains("lost rank 1"), qPrintable(killed.errors));
        QVERIFY2(killed.errors.contains("rank 1 (pid") && killed.errors.contains("signal 9"),
                 qPrintable(killed.errors));
        {
            core::RunStore store(db);
            QCOMPARE(store.integrityCheck(), std::string("ok"));
            QCOMPARE(store.run(1)->status, std::string("failed"));
        }

        const Outcome resumed = train({"train", "--resume", "1", "--db", QString::fromStdString(db), "--nproc", "2"});
        QVERIFY2(resumed.ok, qPrintable(resumed.errors));
        core::RunStore store(db);
        QCOMPARE(store.run(1)->status, std::string("finished"));
        const double diff = maxRelativeDifference(twoRankWeights, finalWeights(db));
        qInfo("resumed after the lost rank: max relative difference to the uninterrupted run %.3g", diff);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    }

    // GRPO with the prompts split: each rank samples and scores its groups, the token totals of
    // the loss are the global batch's. The same weights, the same rewards and advantages. Then
    // rejection sampling with the problems split: the same dataset, and SFT on it.
    void grpoTwoRanksEqualOneRank()
    {
        const QString recipe = dir.filePath("grpo.toml");
        std::ofstream(recipe.toStdString()) << grpoRecipeText();
        const std::string one = dir.filePath("grpo-one.sqlite").toStdString();
        const std::string two = dir.filePath("grpo-two.sqlite").toStdString();
        const Outcome a = train({"train", recipe, "--db", QString::fromStdString(one)});
        QVERIFY2(a.ok, qPrintable(a.errors));
        const Outcome b = train({"train", recipe, "--db", QString::fromStdString(two), "--nproc", "2"});
        QVERIFY2(b.ok, qPrintable(b.errors));
        const auto wa = finalWeights(one, {"02-rl", "04-on-rs"}), wb = finalWeights(two, {"02-rl", "04-on-rs"});
        QCOMPARE(wb.size(), wa.size());
        const double diff = maxRelativeDifference(wa, wb);

        // Every rank's groups reach rank 0's store: the same completions, in the same groups, with the
        // same rewards and advantages.
        core::RunStore sa(one), sb(two);
        const auto samplesA = sa.samples({.run = 1, .stage = 2}), samplesB = sb.samples({.run = 1, .stage = 2});
        QCOMPARE(samplesB.size(), samplesA.size());
        QCOMPARE(samplesA.size(), size_t(5 * 2 * 4));
        std::map<std::tuple<int64_t, int, std::string>, const core::SampleRecord*> byText;
        for (const auto& r : samplesA)
            byText[{r.step, r.groupIndex.value_or(-1), r.completion}] = &r;
        int moved = 0;
        for (const auto& r : samplesB) {
            const auto it = byText.find({r.step, r.groupIndex.value_or(-1), r.completion});
            QVERIFY2(it != byText.end(), qPrintable(QString::fromStdString(r.completion)));
            QCOMPARE(r.prompt, it->second->prompt);
            QCOMPARE(r.reward, it->second->reward);
            QCOMPARE(r.tokenIds, it->second->tokenIds);
            QVERIFY(r.advantage && it->second->advantage);
            QVERIFY(std::abs(*r.advantage - *it->second->advantage) <= 1e-6);
            moved += *r.advantage != 0;
        }
        // The batch's metrics are the global batch's.
        for (const char* key : {"reward/mean", "reward/std", "advantage_std", "loss", "kl"}) {
            const auto ma = sa.series(1, key), mb = sb.series(1, key);
            QVERIFY2(mb.size() == ma.size(), key);
            for (size_t i = 0; i < ma.size(); ++i)
                QVERIFY2(std::abs(mb[i].value - ma[i].value) <= 1e-5 * std::max(1e-3, std::abs(ma[i].value)), key);
        }
        qInfo("GRPO, 5 steps, rejection sampling and SFT on it: max relative difference %.3g; %zu samples matched, %d "
              "with an advantage (1 rank %.1f s, "
              "2 ranks %.1f s)",
              diff, samplesB.size(), moved, double(a.ms) / 1000, double(b.ms) / 1000);
        QVERIFY2(moved > 0, "no completion had an advantage: the policy gradient was not tested");

        // Rejection sampling keeps the same dataset, in the same order.
        const auto dataset = [](const std::string& db) {
            std::ifstream in(fs::path(db).parent_path() / (fs::path(db).stem().string() + "-runs") / "run-1" / "03-rs" /
                             "data.jsonl");
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        const std::string keptA = dataset(one);
        QVERIFY(std::count(keptA.begin(), keptA.end(), '\n') >= 2);
        QCOMPARE(dataset(two), keptA);
        QCOMPARE(sb.series(1, "rs/generated").at(0).value, 24.0);

        // The evaluation splits its problems (batches of 8, one a rank): the same results.
        const auto ea = sa.evaluations(1), eb = sb.evaluations(1);
        QCOMPARE(ea.size(), size_t(1));
        QCOMPARE(eb.size(), ea.size());
        QCOMPARE(eb[0].summary, ea[0].summary);
        QVERIFY(nlohmann::json::parse(ea[0].summary).value("problems", 0) > 8); // a batch on each rank
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    }

    // The multi-host path: two ranks in two network namespaces rendezvous over a veth pair and
    // train as two local ranks do. Then the link is cut mid-stage: both ranks exit within the
    // timeout naming the other, the store stays sound, and --resume reaches the weights of an
    // uninterrupted run.
    void twoHostsOverVeth()
    {
        QVERIFY2(!twoRankWeights.empty(), "needs twoRanksEqualOneRank");
        TwoHosts hosts;
        if (!hosts.ok)
            QSKIP("cannot make network namespaces (needs root and iproute2)");
        const auto runBoth = [&](const QString& recipe, const std::string& db, const std::function<void(int)>& onStep) {
            QProcess rank0, rank1;
            const int port = freePort();
            const QStringList args{"train", recipe, "--db", QString::fromStdString(db)};
            hosts.start(rank0, 0, port, args);
            hosts.start(rank1, 1, port, args);
            while (rank0.state() != QProcess::NotRunning) {
                rank0.waitForReadyRead(50);
                while (rank0.canReadLine()) {
                    const auto e = nlohmann::json::parse(rank0.readLine().toStdString(), nullptr, false);
                    if (onStep && e.is_object() && e.value("event", "") == "step" && e.value("stage", "") == "base")
                        onStep(e.value("stage_step", 0));
                }
            }
            rank1.waitForFinished(60000);
            return std::pair{rank0.exitCode() == 0 && rank1.exitCode() == 0,
                             QString::fromUtf8(rank0.readAllStandardError() + rank1.readAllStandardError())};
        };
        const std::string db = dir.filePath("hosts.sqlite").toStdString();
        const auto [ok, errors] = runBoth(recipe(), db, {});
        QVERIFY2(ok, qPrintable(errors));
        const double diff = maxRelativeDifference(twoRankWeights, finalWeights(db));
        qInfo("two hosts over a veth pair: max relative difference to one rank %.3g", diff);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));

        const std::string cutDb = dir.filePath("cut.sqlite").toStdString();
        QElapsedTimer sinceCut;
        const auto [cutOk, cutErrors] = runBoth(recipe(60, 5), cutDb, [&](int step) {
            if (step == 3 && !sinceCut.isValid()) {
                QVERIFY(TwoHosts::ip({"-n", hosts.a, "link", "set", hosts.linkA, "down"}));
                sinceCut.start();
            }
        });
        const qint64 cutMs = sinceCut.isValid() ? sinceCut.elapsed() : -1;
        qInfo("link cut to the exit of both ranks: %.2f s (timeout 5 s)", double(cutMs) / 1000);
        QVERIFY2(!cutOk && cutMs >= 0 && cutMs < 20000, qPrintable(cutErrors));
        QVERIFY2(cutErrors.contains("rank 0: ") && cutErrors.contains("lost rank 1"), qPrintable(cutErrors));
        QCOMPARE(core::RunStore(cutDb).integrityCheck(), std::string("ok"));
        QCOMPARE(core::RunStore(cutDb).run(1)->status, std::string("failed"));

        const std::string wholeDb = dir.filePath("whole60.sqlite").toStdString();
        const Outcome whole = train({"train", recipe(60, 5), "--db", QString::fromStdString(wholeDb)});
        QVERIFY2(whole.ok, qPrintable(whole.errors));
        const Outcome resumed =
            train({"train", "--resume", "1", "--db", QString::fromStdString(cutDb), "--nproc", "2"});
        QVERIFY2(resumed.ok, qPrintable(resumed.errors));
        QVERIFY(maxRelativeDifference(finalWeights(wholeDb), finalWeights(cutDb)) <= 1e-5);
    }

    // Ctrl+C on the launcher reaches both ranks: they stop after the same step, checkpoint, and
    // exit 0. The run resumes on one rank (2 -> 1) and ends with the weights of the uninterrupted
    // run: the global batch of a step does not depend on the number of ranks.
    void interruptStopsEveryRank()
    {
        QVERIFY2(!twoRankWeights.empty(), "needs twoRanksEqualOneRank");
        const std::string db = dir.filePath("interrupted.sqlite").toStdString();
        bool sent = false;
        const Outcome stopped = train({"train", recipe(), "--db", QString::fromStdString(db), "--nproc", "2"},
                                      [&](const nlohmann::json& e, QProcess& launcher) {
                                          if (!sent && e.value("event", "") == "step" &&
                                              e.value("stage", "") == "base" && e.value("stage_step", 0) == 2) {
                                              ::kill(pid_t(launcher.processId()), SIGINT);
                                              sent = true;
                                          }
                                      });
        QVERIFY(sent);
        QVERIFY2(stopped.ok, qPrintable(stopped.errors));
        {
            core::RunStore store(db);
            QCOMPARE(store.run(1)->status, std::string("stopped"));
        }
        const Outcome resumed = train({"train", "--resume", "1", "--db", QString::fromStdString(db)});
        QVERIFY2(resumed.ok, qPrintable(resumed.errors));
        QCOMPARE(core::RunStore(db).run(1)->status, std::string("finished"));
        QVERIFY(maxRelativeDifference(twoRankWeights, finalWeights(db)) <= 1e-5);
    }

    // A rank that stops answering (SIGSTOP) fails the other's next collective after timeout_seconds.
    void hungRankTimesOut()
    {
        const std::string db = dir.filePath("hung.sqlite").toStdString();
        pid_t stopped = 0, survivor = 0;
        qint64 survivorMs = -1;
        const Outcome hung = train({"train", recipe(400, 5), "--db", QString::fromStdString(db), "--nproc", "2"},
                                   [&](const nlohmann::json& e, QProcess& launcher) {
                                       if (stopped || e.value("event", "") != "step" || e.value("stage_step", 0) != 3)
                                           return;
                                       const auto ranks = ranksOf(launcher.processId());
                                       QCOMPARE(ranks.size(), size_t(2));
                                       survivor = ranks.at(0);
                                       stopped = ranks.at(1);
                                       ::kill(stopped, SIGSTOP);
                                       QElapsedTimer clock;
                                       clock.start();
                                       while (!exited(survivor) && clock.elapsed() < 60000)
                                           QThread::msleep(10);
                                       survivorMs = clock.elapsed();
                                       ::kill(stopped, SIGKILL); // the launcher would wait for it
                                   });
        QVERIFY2(stopped > 0, "no step 3 event came");
        QVERIFY(!hung.ok);
        qInfo("SIGSTOP of rank 1 to the exit of rank 0: %.2f s (timeout 5 s)", double(survivorMs) / 1000);
        QVERIFY2(survivorMs >= 4000 && survivorMs < 20000, qPrintable(hung.errors));
        QVERIFY2(hung.errors.contains("lost rank 1"), qPrintable(hung.errors));
        QCOMPARE(core::RunStore(db).integrityCheck(), std::string("ok"));
    }

    // A rank whose peers never come gives up after rendezvous_timeout_seconds, saying so.
    void rendezvousTimesOut()
    {
        QProcess rank0;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("WORLD_SIZE", "2");
        env.insert("RANK", "0");
        env.insert("MASTER_ADDR", "127.0.0.1");
        env.insert("MASTER_PORT", QString::number(freePort()));
        rank0.setProcessEnvironment(env);
        QElapsedTimer clock;
        clock.start();
        rank0.start(THINKBENCH_CLI, {"train", recipe(5, 20, 2), "--db", dir.filePath("alone.sqlite")});
        QVERIFY(rank0.waitForFinished(60000));
        const QString errors = QString::fromUtf8(rank0.readAllStandardError());
        QVERIFY2(rank0.exitCode() != 0, qPrintable(errors));
        QVERIFY2(clock.elapsed() < 20000, qPrintable(errors));
        QVERIFY2(errors.contains("rank 0: rendezvous at 127.0.0.1:") && errors.contains("within 2 s"),
                 qPrintable(errors));
    }

private:
    QString recipe(int pretrainSteps = 5, int timeoutSeconds = 20, int rendezvousSeconds = 60)
    {
        const QString path =
            dir.filePath(QString("dp-%1-%2-%3.toml").arg(pretrainSteps).arg(timeoutSeconds).arg(rendezvousSeconds));
        if (!QFile::exists(path))
            std::ofstream(path.toStdString()) << recipeText(pretrainSteps, timeoutSeconds, rendezvousSeconds);
        return path;
    }

    QTemporaryDir dir;
    std::map<std::string, at::Tensor> twoRankWeights;
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
