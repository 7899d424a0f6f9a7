// thinkbench-cli as a user drives it: exit codes, recipe check, runs list/show/export.

#include "core/store/run_store.h"

#include <QtTest>

#include "tests/tiny_recipe.h"

using namespace thinkbench::core;

namespace {

struct Result {
    int code;
    QString out;
    QString err;
};

Result cli(const QStringList& args, const QString& cwd)
{
    QProcess process;
    process.setWorkingDirectory(cwd);
    process.start(THINKBENCH_CLI, args);
    process.waitForFinished(60000);
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

private slots:
    void versionAndBadFlag()
    {
        const auto version = cli({"version", "--json"}, dir_.path());
        QCOMPARE(version.code, 0);
        QVERIFY(version.out.contains("\"thinkbench\""));
        // The commit of the source it was built from, as of this build, not of the first configure
        // (the run store records it with each run).
        QProcess git;
        git.setWorkingDirectory(THINKBENCH_SOURCE_DIR);
        git.start("git", {"describe", "--always", "--dirty", "--tags"});
        QVERIFY(git.waitForFinished(60000));
        const QString commit = QString::fromUtf8(git.readAllStandardOutput()).trimmed();
        QVERIFY2(version.out.contains("(git " + (commit.isEmpty() ? "unknown" : commit) + ")"),
                 qPrintable(version.out + " / " + commit));
        QCOMPARE(cli({"version", "--no-such-flag"}, dir_.path()).code, 1);
        QCOMPARE(cli({}, dir_.path()).code, 1);
    }

    void recipeCheck()
    {
        const QString demo = THINKBENCH_SOURCE_DIR "/resources/recipes/demo.toml";
        const auto good = cli({"recipe", "check", demo}, dir_.path());
        QCOMPARE(good.code, 0);
        QVERIFY(good.out.contains("ok"));

        QFile bad(dir_.filePath("bad.toml"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("name = \"b\"\n[model]\npath = \"m\"\n[[stages]]\nkind = \"sft\"\nepocs = 2\n");
        bad.close();
        const auto result = cli({"recipe", "check", "bad.toml"}, dir_.path());
        QCOMPARE(result.code, 1);
        QVERIFY2(result.err.contains("bad.toml:6:9: stages[0].epocs: unknown key; did you mean "
                                     "\"epochs\"?"),
                 qPrintable(result.err));
        const auto json = cli({"recipe", "check", "bad.toml", "--json"}, dir_.path());
        QCOMPARE(json.code, 1);
        QVERIFY(json.out.contains("\"line\":6"));
        QCOMPARE(cli({"recipe", "check", "absent.toml"}, dir_.path()).code, 1);
    }

    void runsListShowExport()
    {
        // A missing database is an error, and is not created.
        const auto missing = cli({"runs", "list"}, dir_.path());
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.err.contains("runs.sqlite"));
        QVERIFY(!QFile::exists(dir_.filePath("runs.sqlite")));

        const QString db = dir_.filePath("runs.sqlite");
        {
            RunStore store(db.toStdString());
            const int64_t run = store.createRun("demo, quoted", "name = 'demo'");
            store.beginStage(run, 0, "grpo", "rl", "{}");
            store.beginStage(run, 1, "eval", "eval-all-scenarios-rl", "{}"); // longer than a tab stop
            store.appendMetrics({{run, 0, 0, "reward/mean", 0.25, 100}, {run, 0, 1, "reward/mean", 0.5, 101}});
            std::vector<SampleRecord> samples(1);
            samples[0].run = run;
            samples[0].step = 1;
            samples[0].completion = "<think>ok</think> 4";
            store.addSamples(samples);
        }
        const auto list = cli({"runs", "list"}, dir_.path());
        QCOMPARE(list.code, 0);
        QVERIFY(list.out.contains("demo, quoted"));
        const auto listJson = cli({"runs", "list", "--json", "--db", db}, "/");
        QCOMPARE(listJson.code, 0);
        QVERIFY(listJson.out.contains("\"last_step\":1"));

        const auto show = cli({"runs", "show", "1"}, dir_.path());
        QCOMPARE(show.code, 0);
        QVERIFY(show.out.contains("reward/mean"));
        QVERIFY2(show.out.contains(QRegularExpression("eval-all-scenarios-rl +eval +")), qPrintable(show.out));
        QCOMPARE(cli({"runs", "show", "9"}, dir_.path()).code, 1);

        const auto csv = cli({"runs", "export", "1", "--format", "csv"}, dir_.path());
        QCOMPARE(csv.code, 0);
        QCOMPARE(csv.out, QString("key,step,value,wall_time\nreward/mean,0,0.25,100\nreward/mean,1,0.5,101\n"));
        const auto jsonl = cli({"runs", "export", "1", "--format", "jsonl", "-o", "out.jsonl"}, dir_.path());
        QCOMPARE(jsonl.code, 0);
        QFile out(dir_.filePath("out.jsonl"));
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(out.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[2].contains("\"type\":\"sample\""));
    }

    // Without a terminal (a log file, CI, a pipe) a stage is one line, and its steps at most one
    // line per 10 s: two stages done in a few seconds print two lines, not ten per stage.
    void trainLogsStagesWithoutATerminal()
    {
        QFile recipe(dir_.filePath("log.toml"));
        QVERIFY(recipe.open(QIODevice::WriteOnly));
        recipe.write(tinyRecipe("name = \"log\"\nseed = 1\nthreads = 1\n", kTinyDenseModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 200
batch_size = 2
seq_len = 32
corpus_size = 50

[[stages]]
kind = "pretrain"
name = "more"
steps = 100
batch_size = 2
seq_len = 32
corpus_size = 50
)")
                         .c_str());
        recipe.close();
        QElapsedTimer clock;
        clock.start();
        const auto trained = cli({"train", "log.toml", "--db", "log.sqlite"}, dir_.path());
        const qint64 seconds = clock.elapsed() / 1000;
        QVERIFY2(trained.code == 0, qPrintable(trained.err));
        const QStringList lines = trained.err.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.filter(QRegularExpression("^== stage")),
                 QStringList({"== stage 0: base (pretrain, 200 steps)", "== stage 1: more (pretrain, 100 steps)"}));
        const auto stepLines = lines.filter(QRegularExpression(R"(^\[[# ]*\] \d+/\d+)"));
        QVERIFY2(stepLines.size() <= seconds / 10, qPrintable(trained.err));
        QVERIFY(!trained.err.contains('\r'));
        QVERIFY(trained.out.startsWith("run 1 finished"));
    }

    void createRunFromRecipe()
    {
        const QString demo = THINKBENCH_SOURCE_DIR "/resources/recipes/demo.toml";
        const auto created = cli({"runs", "create", demo, "--db", "created.sqlite"}, dir_.path());
        QCOMPARE(created.code, 0);
        RunStore store(dir_.filePath("created.sqlite").toStdString(), OpenMode::ReadOnly);
        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs[0].status, std::string("created"));
        QVERIFY(runs[0].stageCount > 3);
        QVERIFY(runs[0].recipe.find("micro-r1") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
