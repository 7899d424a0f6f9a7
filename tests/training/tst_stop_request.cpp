// A stop asked for through the run store, as the GUI asks a run it did not start: a request written
// by another connection while `thinkbench-cli train` runs ends the run as SIGTERM does (exit 0,
// status "stopped", a checkpoint), and `--resume` clears the request and finishes the run.

#include "core/store/run_store.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include "tests/tiny_recipe.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>

using namespace thinkbench;
namespace fs = std::filesystem;

namespace {

// Long enough that no machine finishes it in the second a request may wait for the next poll.
const std::string kRecipe = tinyRecipe("name = \"stop\"\nseed = 3\nthreads = 1\n", kTinyDenseModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 1500
batch_size = 2
seq_len = 32
corpus_size = 40
)");

struct Ended {
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    std::string done;          // the "done" event's status
    int64_t stopStep = -1;     // the stage step the stop came after
    int64_t stepsAfterAsk = 0; // steps the trainer took after being asked
    double secondsAfterAsk = 0;
    QString errors;
};

// `train --json` with ARGS; after the 20th step event, `stop` is called with the CLI's process.
Ended train(const QStringList& args, const std::function<void(QProcess&)>& stop)
{
    QProcess cli;
    cli.start(THINKBENCH_CLI, args + QStringList{"--json"});
    Ended e;
    if (!cli.waitForStarted(30000)) {
        e.errors = cli.errorString();
        return e;
    }
    QElapsedTimer sinceAsk;
    int steps = 0;
    while (cli.state() != QProcess::NotRunning || cli.canReadLine()) {
        if (!cli.canReadLine()) {
            cli.waitForReadyRead(50);
            continue;
        }
        const auto event = nlohmann::json::parse(cli.readLine().toStdString(), nullptr, false);
        if (!event.is_object())
            continue;
        const std::string kind = event.value("event", "");
        if (kind == "step") {
            e.stopStep = event.value("stage_step", int64_t(-1));
            if (sinceAsk.isValid())
                ++e.stepsAfterAsk;
            if (++steps == 20 && stop) {
                stop(cli);
                sinceAsk.start();
            }
        } else if (kind == "done") {
            e.done = event.value("status", "");
            e.secondsAfterAsk = sinceAsk.isValid() ? double(sinceAsk.elapsed()) / 1000 : 0;
        }
    }
    cli.waitForFinished(300000);
    e.exitCode = cli.exitCode();
    e.exitStatus = cli.exitStatus();
    e.errors = QString::fromUtf8(cli.readAllStandardError());
    return e;
}

} // namespace

class TestStopRequest : public QObject {
    Q_OBJECT

private slots:
    void stopThroughTheStoreEndsAsSigtermDoes()
    {
        QTemporaryDir dir;
        const QString recipe = dir.filePath("stop.toml");
        std::ofstream(recipe.toStdString()) << kRecipe;

        // The reference: SIGTERM, as the GUI stops its own child.
        const QString signalled = dir.filePath("signalled.sqlite");
        const Ended bySignal = train({"train", recipe, "--db", signalled}, [](QProcess& cli) { cli.terminate(); });
        QVERIFY2(bySignal.done == "stopped", qPrintable(bySignal.errors));

        // The same run asked to stop through the store by another connection.
        const QString db = dir.filePath("asked.sqlite");
        const Ended byStore =
            train({"train", recipe, "--db", db}, [&](QProcess&) { core::RunStore(db.toStdString()).requestStop(1); });
        qInfo("a stop request took %lld steps, %.2f s, to end the run (the trainer reads it once a second)",
              static_cast<long long>(byStore.stepsAfterAsk), byStore.secondsAfterAsk);
        QCOMPARE(byStore.done, std::string("stopped"));
        QCOMPARE(byStore.exitStatus, bySignal.exitStatus);
        QCOMPARE(byStore.exitCode, bySignal.exitCode);
        QCOMPARE(byStore.exitCode, 0);
        QVERIFY(byStore.secondsAfterAsk < 10);
        QVERIFY(byStore.stopStep < 1500);

        {
            const core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
            QCOMPARE(store.run(1)->status, std::string("stopped"));
            QCOMPARE(store.stages(1).at(0).status, std::string("stopped"));
            const auto checkpoints = store.checkpoints(1);
            QCOMPARE(checkpoints.size(), size_t(1));
            QVERIFY(fs::path(checkpoints[0].path).filename() == "step-" + std::to_string(byStore.stopStep));
            QVERIFY(fs::exists(fs::path(checkpoints[0].path) / "model.safetensors"));
            QVERIFY(fs::exists(fs::path(checkpoints[0].path) / "optimizer.safetensors"));
            QVERIFY(store.stopRequested(1)); // until a resume clears it
        }

        // --resume clears the request (else it would stop again at once) and finishes the run.
        const Ended resumed = train({"train", "--resume", "1", "--db", db}, nullptr);
        QVERIFY2(resumed.done == "finished", qPrintable(resumed.errors));
        QCOMPARE(resumed.exitCode, 0);
        const core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
        QCOMPARE(store.run(1)->status, std::string("finished"));
        QVERIFY(!store.stopRequested(1));
        const auto loss = store.series(1, "loss");
        QCOMPARE(loss.size(), size_t(1500));
        QCOMPARE(loss.back().step, int64_t(1499));
    }
};

QTEST_GUILESS_MAIN(TestStopRequest)
#include "tst_stop_request.moc"
