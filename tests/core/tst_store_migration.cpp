// The run store's forward migrations: an older file opens, is migrated once, and keeps its data;
// the columns a migration adds round-trip.

#include "core/error.h"
#include "core/store/run_store.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace thinkbench::core;

class TestStoreMigration : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

    // Runs `sql` on `file` with the sqlite3 shell: how an older ThinkBench's file is made.
    static void sqlite(const std::string& file, const QString& sql)
    {
        QProcess shell;
        shell.start("sqlite3", {QString::fromStdString(file), sql});
        QVERIFY(shell.waitForFinished());
        QCOMPARE(shell.exitCode(), 0);
    }

private slots:
    // A version-1 database (before rollups) is migrated forward and keeps every point.
    void migratesVersionOneForward()
    {
        const std::string file = path("v1.sqlite");
        int64_t run;
        {
            RunStore store(file);
            run = store.createRun("old", "");
            store.beginStage(run, 0, "pretrain", "p", "{}");
            std::vector<MetricPoint> points;
            for (int64_t s = 0; s < 50000; ++s)
                points.push_back({run, 0, s, "loss", double(s % 1000), 0});
            store.appendMetrics(points);
        }
        sqlite(file,
               "ALTER TABLE stages DROP COLUMN world_size; ALTER TABLE stages DROP COLUMN backend;"
               "DROP TABLE stop_requests; DROP INDEX samples_by_group; ALTER TABLE samples DROP COLUMN group_index;"
               "ALTER TABLE samples DROP COLUMN advantage; DROP TABLE metric_rollups;"
               "PRAGMA user_version = 1;");
        QVERIFY_THROWS_EXCEPTION(Error, RunStore(file, OpenMode::ReadOnly)); // needs migrating
        RunStore store(file);
        QCOMPARE(store.schemaVersion(), RunStore::kSchemaVersion);
        const auto down = store.series(run, "loss", 400);
        QVERIFY(down.size() <= 400);
        QCOMPARE(down.back().step, int64_t(49999));
        double hi = 0;
        for (const auto& p : down)
            hi = std::max(hi, p.value);
        QCOMPARE(hi, 999.0);
        QCOMPARE(store.series(run, "loss").size(), size_t(50000));
    }

    // A version-3 file (before world size and backend) keeps its runs, stages, metrics and samples;
    // its stages read as one-process stages.
    void migratesVersionThreeForward()
    {
        const std::string file = path("v3.sqlite");
        int64_t run;
        {
            RunStore store(file);
            run = store.createRun("old", "name = 'old'\n");
            store.beginStage(run, 0, "grpo", "rl", R"({"steps":2})");
            store.appendMetrics({{run, 0, 0, "loss", 1.5, 10}, {run, 0, 1, "loss", 1.25, 11}});
            std::vector<SampleRecord> samples(1);
            samples[0].run = run;
            samples[0].completion = "4";
            samples[0].groupIndex = 0;
            samples[0].advantage = 0.5;
            store.addSamples(samples);
            store.setStageStatus(run, 0, "finished");
        }
        sqlite(file, "ALTER TABLE stages DROP COLUMN world_size; ALTER TABLE stages DROP COLUMN backend;"
                     "PRAGMA user_version = 3;");
        QVERIFY_THROWS_EXCEPTION(Error, RunStore(file, OpenMode::ReadOnly)); // needs migrating
        {
            RunStore store(file);
            QCOMPARE(store.schemaVersion(), 4);
        }
        RunStore store(file, OpenMode::ReadOnly);
        QCOMPARE(QString::fromStdString(store.integrityCheck()), QString("ok"));
        const auto stages = store.stages(run);
        QCOMPARE(stages.size(), size_t(1));
        QCOMPARE(QString::fromStdString(stages[0].name), QString("rl"));
        QCOMPARE(QString::fromStdString(stages[0].status), QString("finished"));
        QCOMPARE(QString::fromStdString(stages[0].config), QString(R"({"steps":2})"));
        QCOMPARE(stages[0].lastStep, int64_t(1));
        QCOMPARE(stages[0].worldSize, 1);
        QCOMPARE(QString::fromStdString(stages[0].backend), QString());
        QCOMPARE(store.series(run, "loss").size(), size_t(2));
        const auto samples = store.samples({.run = run});
        QCOMPARE(samples.size(), size_t(1));
        QCOMPARE(samples[0].advantage, std::optional<double>(0.5));
    }

    // World size and backend round-trip; a stage resumed on another world size takes the new one.
    void stageWorldSizeAndBackendRoundTrip()
    {
        RunStore store(path("world.sqlite"));
        const int64_t run = store.createRun("dp", "");
        store.beginStage(run, 0, "pretrain", "base", "{}", 2, "gloo");
        store.beginStage(run, 1, "grpo", "rl", "{}");
        auto stages = store.stages(run);
        QCOMPARE(stages[0].worldSize, 2);
        QCOMPARE(QString::fromStdString(stages[0].backend), QString("gloo"));
        QCOMPARE(stages[1].worldSize, 1);
        QCOMPARE(QString::fromStdString(stages[1].backend), QString());
        store.beginStage(run, 0, "pretrain", "base", "{}", 1, ""); // resumed 2 -> 1
        stages = store.stages(run);
        QCOMPARE(stages.size(), size_t(2));
        QCOMPARE(stages[0].worldSize, 1);
        QCOMPARE(QString::fromStdString(stages[0].backend), QString());
    }
};

QTEST_GUILESS_MAIN(TestStoreMigration)
#include "tst_store_migration.moc"
