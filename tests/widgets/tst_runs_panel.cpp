// The Runs dock's details of a selected run, against a run store written here as the training CLI
// writes it: the stage, the step of the stage's total, the time left and the stored recipe
// (read-only, monospace); Stop asks a run the panel did not start through the store and leaves
// the GUI's own child to its process; the details follow new rows and a run of the training CLI,
// which the panel stops; a stage of two ranks with their backend and each rank's throughput;
// offscreen screenshots.

#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "widgets/run_details.h"
#include "widgets/runs_panel.h"

#include <QDir>
#include <QLabel>
#include <QMap>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include "tests/tiny_recipe.h"

#include <sqlite3.h>

using namespace thinkbench;
using thinkbench::widgets::RunsPanel;

namespace {

const std::string kRecipe = tinyRecipe("name = \"cli-run\"\nseed = 5\n", kTinyDenseModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 30

[[stages]]
kind = "grpo"
name = "rl"
steps = 100
)");

// A run as `train` leaves it mid-way: the pretraining done, GRPO at `steps` of 100, 3 s a step,
// the last step written `quiet` seconds ago.
int64_t writeRun(core::RunStore& store, const std::string& name, int64_t steps, double quiet)
{
    const int64_t run = store.createRun(name, kRecipe);
    const double now = core::nowSeconds(), rlStart = now - quiet - 3.0 * double(steps);
    store.beginStage(run, 0, "pretrain", "base", R"({"steps": 30})");
    for (int64_t s = 0; s < 30; ++s)
        store.appendMetrics({{run, 0, s, "loss", 2.0, rlStart - 30 + double(s)}});
    store.setStageStatus(run, 0, "finished");
    store.beginStage(run, 1, "grpo", "rl", R"({"steps": 100})");
    for (int64_t s = 0; s < steps; ++s)
        store.appendMetrics({{run, 1, 30 + s, "loss", 1.0, now - quiet - 3.0 * double(steps - 1 - s)}});
    // The stage began when its first step did, not when this test wrote it (the store stamps now).
    sqlite3* db = nullptr;
    sqlite3_open(store.path().c_str(), &db);
    const std::string sql = "UPDATE stages SET started_at = " + std::to_string(rlStart) + " - 30 * (1 - idx)" +
                            " WHERE run = " + std::to_string(run);
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc == SQLITE_OK ? run : -1;
}

template <typename T> T* child(const QWidget& panel, const char* name)
{
    return panel.findChild<T*>(QString::fromLatin1(name));
}

QString text(const QWidget& panel, const char* label)
{
    return child<QLabel>(panel, label)->text();
}

// The layouts settle once the details show, as they have by the time a user's click lands.
void settle()
{
    for (int round = 0; round < 3; ++round)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

void select(RunsPanel& panel, int64_t run)
{
    auto* tree = panel.findChild<QTreeWidget*>();
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->data(0, Qt::DisplayRole).toLongLong() == run)
            tree->setCurrentItem(tree->topLevelItem(i));
    QCOMPARE(panel.currentRun(), run);
}

} // namespace

class TestRunsPanel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

private slots:
    void detailsOfARunStartedElsewhere()
    {
        const QString path = dir_.filePath("details.sqlite");
        core::RunStore cli(path.toStdString()); // the training CLI's connection
        const int64_t live = writeRun(cli, "cli-run", 20, 1);
        const int64_t done = writeRun(cli, "done-run", 100, 60);
        cli.setStageStatus(done, 1, "finished");
        cli.setRunStatus(done, "finished");
        const int64_t stalled = writeRun(cli, "killed-run", 40, 20 * 60);

        RunsPanel panel;
        panel.resize(380, 640);
        panel.show(); // clicks land on laid-out buttons, as a user's do
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openDatabase(path));
        QVERIFY(text(panel, "runTitle").startsWith("Select a run")); // and nothing else below the list
        QVERIFY(!child<QPushButton>(panel, "runStop")->isVisible());
        select(panel, live);
        QVERIFY(child<QPushButton>(panel, "runStop")->isVisible());
        QCOMPARE(text(panel, "runStage"), QString("Stage 2 of 2: rl (grpo), running"));
        QCOMPARE(text(panel, "runProgress"), QString("Step 20 of 100 (20%)"));
        // 80 steps left at 3 s: 240 s, less the second since the last one.
        QCOMPARE(text(panel, "runEta"), QString("About 4 min left in this stage, at 3 s a step."));
        const auto* recipe = child<QPlainTextEdit>(panel, "runRecipe");
        QVERIFY(recipe->isReadOnly());
        QCOMPARE(recipe->toPlainText().toStdString(), kRecipe);
        const QFontMetrics metrics(recipe->font()); // Noto Sans Mono, which QFontInfo calls not fixed-pitch
        QCOMPARE(metrics.horizontalAdvance("iiii"), metrics.horizontalAdvance("MMMM"));
        auto* stop = child<QPushButton>(panel, "runStop");
        QVERIFY(stop->isEnabled());

        const QString shots = THINKBENCH_BINARY_DIR "/screenshots";
        QDir().mkpath(shots);
        QVERIFY(panel.grab().save(shots + "/runs_details.png"));

        // The CLI writes on: the details follow without being asked.
        for (int64_t s = 20; s < 25; ++s)
            cli.appendMetrics({{live, 1, 30 + s, "loss", 1.0, core::nowSeconds()}});
        QTRY_COMPARE_WITH_TIMEOUT(text(panel, "runProgress"), QString("Step 25 of 100 (25%)"), 5000);

        select(panel, done);
        QVERIFY(text(panel, "runEta").startsWith("Finished "));
        QCOMPARE(text(panel, "runProgress"), QString("Step 100 of 100 (100%)"));
        QVERIFY(!stop->isEnabled());

        select(panel, stalled);
        QCOMPARE(text(panel, "runEta"), QString("Stalled: nothing written for 20 min."));
        QVERIFY(stop->isEnabled()); // its process may still be alive

        // Stop on a run the panel did not start: a request in the store, for its trainer to read.
        select(panel, live);
        settle();
        QSignalSpy own(&panel, &RunsPanel::stopOwnRun);
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(cli.stopRequested(live));
        QVERIFY(!cli.stopRequested(stalled));
        QCOMPARE(own.count(), 0);
        QVERIFY(!stop->isEnabled());
        QVERIFY(text(panel, "runEta").startsWith("Stop requested"));
        panel.refresh();
        QVERIFY(text(panel, "runEta").startsWith("Stop requested"));
        QVERIFY(!stop->isEnabled());
    }

    // The whole way: `thinkbench-cli train` started outside the panel, followed live, and stopped
    // from the panel; the CLI checkpoints and exits as on SIGTERM.
    void stopsARunTheCliStarted()
    {
        // Far more steps than the test waits: the tiny model trains 230 steps a second, and a run of
        // 5000 once ended on a busy machine before the panel had shown it.
        const QString recipe = dir_.filePath("live.toml");
        QFile file(recipe);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(tinyRecipe("name = \"live\"\nseed = 2\nthreads = 1\n", kTinyDenseModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 1000000
batch_size = 2
seq_len = 32
corpus_size = 40
)")
                       .c_str());
        file.close();
        const QString db = dir_.filePath("live.sqlite");
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"train", recipe, "--db", db});
        QVERIFY(cli.waitForStarted(30000));
        RunsPanel panel;
        panel.resize(380, 640);
        panel.show(); // clicks land on laid-out buttons, as a user's do
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(db) && panel.openDatabase(db) && panel.runCount() == 1, 30000);
        select(panel, 1);
        QTRY_VERIFY_WITH_TIMEOUT(text(panel, "runEta").startsWith("About "), 30000);
        QVERIFY2(text(panel, "runProgress").contains(QRegularExpression("^Step \\d+ of 1000000")),
                 qPrintable(text(panel, "runProgress")));
        QCOMPARE(text(panel, "runStage"), QString("Stage 1 of 1: base (pretrain), running"));
        QVERIFY(panel.grab().save(THINKBENCH_BINARY_DIR "/screenshots/runs_details_live.png"));

        settle();
        QTest::mouseClick(child<QPushButton>(panel, "runStop"), Qt::LeftButton);
        // The request is in the store before the panel says so (it once met "database is locked"
        // while the trainer committed its steps, and the trainer ran on).
        QVERIFY2(text(panel, "runEta").startsWith("Stop requested"), qPrintable(text(panel, "runEta")));
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY(QString::fromUtf8(cli.readAllStandardError()).contains("stopped; resume with --resume 1"));
        QTRY_VERIFY_WITH_TIMEOUT(text(panel, "runEta").startsWith("Stopped "), 5000);
        QVERIFY(!child<QPushButton>(panel, "runStop")->isEnabled());
    }

    // A stage of two ranks (`train --nproc 2`): "2 × gloo" in the list, and in the details each
    // rank's tokens/s and rank 0's time in collectives at the latest step.
    void showsTheRanksOfADistributedStage()
    {
        const QString path = dir_.filePath("ranks.sqlite");
        core::RunStore cli(path.toStdString());
        const int64_t single = writeRun(cli, "one-rank", 10, 1);
        const int64_t ranks = cli.createRun("two-ranks", kRecipe);
        cli.beginStage(ranks, 0, "pretrain", "base", R"({"steps": 30})", 2, "gloo");
        const double now = core::nowSeconds();
        namespace m = core::metric;
        for (int64_t s = 0; s < 12; ++s)
            cli.appendMetrics({{ranks, 0, s, "loss", 2.0, now - 12 + double(s)},
                               {ranks, 0, s, m::distRankTokensPerSecond(0), 900.0 + double(s), now - 12 + double(s)},
                               {ranks, 0, s, m::distRankTokensPerSecond(1), 870.0 + double(s), now - 12 + double(s)},
                               {ranks, 0, s, std::string(m::kDistCommSeconds), 0.0213, now - 12 + double(s)}});
        RunsPanel panel;
        panel.resize(380, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openDatabase(path));
        auto* tree = panel.findChild<QTreeWidget*>();
        QCOMPARE(tree->headerItem()->text(4), QString("Processes"));
        QMap<QString, QString> processes;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            processes[tree->topLevelItem(i)->text(1)] = tree->topLevelItem(i)->text(4);
        QCOMPARE(processes.value("two-ranks"), QString("2 × gloo"));
        QCOMPARE(processes.value("one-rank"), QString("1"));

        select(panel, ranks);
        auto* label = child<QLabel>(panel, "runRanks");
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(),
                 QString("Processes: 2 × gloo · tokens/s by rank: 911, 881 · collectives 0.0213 s a step"));
        QDir().mkpath(THINKBENCH_BINARY_DIR "/screenshots");
        QVERIFY(panel.grab().save(THINKBENCH_BINARY_DIR "/screenshots/runs_details_ranks.png"));

        // A new step: the details follow.
        cli.appendMetrics({{ranks, 0, 12, m::distRankTokensPerSecond(0), 950.0, core::nowSeconds()},
                           {ranks, 0, 12, m::distRankTokensPerSecond(1), 940.0, core::nowSeconds()}});
        QTRY_COMPARE_WITH_TIMEOUT(label->text(), QString("Processes: 2 × gloo · tokens/s by rank: 950, 940"), 5000);

        select(panel, single);
        QVERIFY(!label->isVisible());
    }

    void stopOnTheGuisOwnRunGoesToItsChild()
    {
        const QString path = dir_.filePath("own.sqlite");
        core::RunStore cli(path.toStdString());
        const int64_t run = writeRun(cli, "own-run", 10, 1);
        RunsPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openDatabase(path));
        panel.setOwnRun(run);
        select(panel, run);
        QVERIFY(text(panel, "runTitle").contains("started here"));
        QSignalSpy own(&panel, &RunsPanel::stopOwnRun);
        settle();
        QTest::mouseClick(child<QPushButton>(panel, "runStop"), Qt::LeftButton);
        QCOMPARE(own.count(), 1);
        QCOMPARE(own.at(0).at(0).toLongLong(), run);
        QVERIFY(!cli.stopRequested(run));
        panel.refresh(); // still running while it checkpoints: no second Stop from here
        QVERIFY(!child<QPushButton>(panel, "runStop")->isEnabled());
        QVERIFY(text(panel, "runEta").startsWith("Stopping"));
    }
};

QTEST_MAIN(TestRunsPanel)
#include "tst_runs_panel.moc"
