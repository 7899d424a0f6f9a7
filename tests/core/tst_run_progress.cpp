// Runs followed from the store alone: stop requests written by one connection and seen by another,
// and a run's stage, progress and time left from hand-made metric rows with known wall times.

#include "core/error.h"
#include "core/store/run_progress.h"
#include "core/store/run_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include "tests/tiny_recipe.h"

#include <atomic>
#include <cmath>
#include <thread>

using namespace thinkbench::core;

namespace {

const std::string kTwoStages = tinyRecipe("name = \"eta\"\n", kTinyDenseModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 30

[[stages]]
kind = "grpo"
name = "rl"
steps = 100
)");

// Loss and accuracy at `step`, written at `wallTime`.
std::vector<MetricPoint> stepRows(int64_t run, int stage, int64_t step, double wallTime)
{
    return {{run, stage, step, "loss", 1.0, wallTime}, {run, stage, step, "accuracy", 0.5, wallTime}};
}

} // namespace

class TestRunProgress : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

private slots:
    void stopRequestsAcrossConnections()
    {
        const std::string path = dir_.filePath("stop.sqlite").toStdString();
        RunStore trainer(path);
        const int64_t a = trainer.createRun("a", kTwoStages), b = trainer.createRun("b", kTwoStages);
        const RunStore watcher(path, OpenMode::ReadOnly);
        QVERIFY(!watcher.stopRequested(a));

        RunStore gui(path);
        gui.requestStop(a);
        gui.requestStop(a); // twice is once
        QVERIFY(trainer.stopRequested(a));
        QVERIFY(watcher.stopRequested(a));
        QVERIFY(!trainer.stopRequested(b));
        QVERIFY(runProgress(watcher, a).stopRequested);

        trainer.clearStopRequest(a);
        QVERIFY(!gui.stopRequested(a));
        trainer.clearStopRequest(b); // nothing to clear is no error

        try {
            gui.requestStop(42);
            QFAIL("a stop request for a missing run was accepted");
        } catch (const Error& e) {
            QCOMPARE(e.file(), path);
            QCOMPARE(e.place(), std::string("run 42"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, RunStore(path, OpenMode::ReadOnly).requestStop(a));
    }

    // A GUI's stop request while the trainer commits a step after another (hundreds a second for a
    // tiny model): the request waits its turn and is stored, never "database is locked".
    void stopRequestWhileTheTrainerWrites()
    {
        const std::string path = dir_.filePath("busy.sqlite").toStdString();
        RunStore setup(path);
        const int64_t run = setup.createRun("busy", kTwoStages);
        setup.beginStage(run, 0, "pretrain", "base", R"({"steps": 30})");

        std::atomic<bool> done{false};
        std::atomic<int64_t> steps{0};
        std::thread trainer([&] {
            RunStore store(path);
            for (int64_t step = 0; !done; ++step, ++steps)
                store.appendMetrics(stepRows(run, 0, step, nowSeconds()));
        });
        RunStore gui(path);
        std::string failure;
        for (int i = 0; i < 1000 && failure.empty(); ++i) {
            try {
                gui.requestStop(run);
                if (!gui.stopRequested(run))
                    failure = "request " + std::to_string(i) + " was not stored";
                gui.clearStopRequest(run);
            } catch (const Error& e) {
                failure = "request " + std::to_string(i) + ": " + e.what();
            }
        }
        done = true;
        trainer.join();
        QVERIFY2(failure.empty(), failure.c_str());
        QVERIFY(steps > 0);
    }

    void progressAndTimeLeft()
    {
        RunStore store(dir_.filePath("eta.sqlite").toStdString());
        const int64_t run = store.createRun("eta", kTwoStages);
        const double t0 = std::ceil(nowSeconds()) + 10; // whole seconds: every difference below is exact

        // Stage 0: steps 0-29, one a second, finished.
        store.beginStage(run, 0, "pretrain", "base", R"({"steps": 30})");
        for (int64_t s = 0; s < 30; ++s)
            store.appendMetrics(stepRows(run, 0, s, t0 + double(s)));
        store.setStageStatus(run, 0, "finished");

        // Stage 1: run steps 30-49, 3 s each, and one 30 s step (an evaluation) into step 40.
        store.beginStage(run, 1, "grpo", "rl", R"({"steps": 100, "group_size": 4})");
        const double t1 = t0 + 100;
        auto wall = [&](int64_t s) { return t1 + 3.0 * double(s - 30) + (s >= 40 ? 27.0 : 0.0); };
        for (int64_t s = 30; s < 50; ++s)
            store.appendMetrics(stepRows(run, 1, s, wall(s)));
        const double last = wall(49);

        const RunStore reader(store.path(), OpenMode::ReadOnly);
        RunProgress p = runProgress(reader, run, last + 6);
        QCOMPARE(p.status, std::string("running"));
        QCOMPARE(p.stageCount, 2);
        QVERIFY(p.recipeError.empty());
        QVERIFY(p.stage.has_value());
        QCOMPARE(p.stage->index, 1);
        QCOMPARE(p.stage->name, std::string("rl"));
        QCOMPARE(p.stage->kind, std::string("grpo"));
        QCOMPARE(p.stageStep, int64_t(20));
        QCOMPARE(p.stageTotal, int64_t(100));
        QCOMPARE(p.secondsPerStep, 3.0); // the median: the evaluation's 30 s step does not count
        QCOMPARE(p.lastWrite, last);
        QVERIFY(p.etaSeconds.has_value());
        QCOMPARE(*p.etaSeconds, 80 * 3.0 - 6); // 80 steps left, 6 s of the next one gone
        QVERIFY(!p.stalled);
        QVERIFY(!p.stopRequested);

        // Nothing written for longer than kStallSeconds (and ten steps): stalled, no time left.
        p = runProgress(reader, run, last + kStallSeconds + 1);
        QVERIFY(p.stalled);
        QVERIFY(!p.etaSeconds);
        QVERIFY(!runProgress(reader, run, last + kStallSeconds - 1).stalled);

        // A run that ended is neither stalled nor given a time left, however long ago.
        store.setRunStatus(run, "stopped");
        p = runProgress(reader, run, last + 10 * kStallSeconds);
        QVERIFY(!p.stalled);
        QVERIFY(!p.etaSeconds);
        QCOMPARE(p.stageStep, int64_t(20));

        QVERIFY_THROWS_EXCEPTION(Error, runProgress(reader, 99));
    }

    void stagesWithoutAStepCount()
    {
        RunStore store(dir_.filePath("kinds.sqlite").toStdString());
        const int64_t fresh = store.createRun("fresh", kTwoStages);
        RunProgress p = runProgress(store, fresh);
        QVERIFY(!p.stage);
        QCOMPARE(p.stageStep, int64_t(0));
        QVERIFY(!p.etaSeconds);

        // Distillation counts the steps of its nested SFT settings, after the sampling it stamps
        // with the step it follows.
        const int64_t distill = store.createRun("distill", kTwoStages);
        const double t0 = std::ceil(nowSeconds()) + 10;
        store.beginStage(distill, 0, "pretrain", "base", R"({"steps": 3})");
        for (int64_t s = 0; s < 3; ++s)
            store.appendMetrics(stepRows(distill, 0, s, t0 + double(s)));
        store.beginStage(distill, 1, "distill", "student", R"({"prompts": 8, "sft": {"steps": 12}})");
        store.appendMetrics({{distill, 1, 2, "rs/generated", 8, t0 + 5}});
        for (int64_t s = 3; s < 7; ++s)
            store.appendMetrics(stepRows(distill, 1, s, t0 + 10 + 2.0 * double(s)));
        p = runProgress(store, distill, t0 + 30);
        QCOMPARE(p.stageTotal, int64_t(12));
        QCOMPARE(p.stageStep, int64_t(4));
        QCOMPARE(p.secondsPerStep, 2.0);
        QCOMPARE(*p.etaSeconds, 8 * 2.0 - (t0 + 30 - (t0 + 22)));

        // An evaluation stage has no steps of its own: no count, no time left.
        store.beginStage(distill, 2, "eval", "final", R"({"k": 4})");
        p = runProgress(store, distill, t0 + 30);
        QCOMPARE(p.stage->kind, std::string("eval"));
        QCOMPARE(p.stageTotal, int64_t(0));
        QCOMPARE(p.stageStep, int64_t(0));
        QVERIFY(!p.etaSeconds);

        // A stored recipe that no longer parses says why; the stage still shows.
        const int64_t odd = store.createRun("odd", "name = \"odd\"\n[[stages]]\nkind = \"nonsense\"\n");
        store.beginStage(odd, 0, "pretrain", "base", R"({"steps": 5})");
        p = runProgress(store, odd);
        QCOMPARE(p.stageCount, 0);
        QVERIFY2(p.recipeError.find("recipe of run 3") != std::string::npos, p.recipeError.c_str());
        QCOMPARE(p.stageTotal, int64_t(5));
    }
};

QTEST_GUILESS_MAIN(TestRunProgress)
#include "tst_run_progress.moc"
