// The run store: schema, round trips, downsampling, bad files, a concurrent reader and a writer
// killed mid-batch.

#include "core/error.h"
#include "core/store/row_mapper.h"
#include "core/store/run_store.h"
#include "core/store/sample_groups.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace thinkbench::core;

namespace {

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<MetricPoint> batch(int64_t run, int64_t step, int keys)
{
    std::vector<MetricPoint> points;
    for (int k = 0; k < keys; ++k)
        points.push_back({run, 0, step, "key" + std::to_string(k), double(step * 10 + k), 1.0});
    return points;
}

// A row type for the row-mapper test: every kind of field the mapper reads and binds.
struct Item {
    int64_t id = 0;
    std::string name;
    std::optional<int64_t> parent;
    bool flag = false;
    std::vector<float> values;
};
constexpr auto kItemRow =
    rowMap("items", rowId<&Item::id>("id"), field<&Item::name>("name"), field<&Item::parent>("parent"),
           field<&Item::flag>("flag"), field<&Item::values>("vals"));

} // namespace

class TestStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

private slots:
    void createsCurrentSchema()
    {
        RunStore store(path("schema.sqlite"));
        QCOMPARE(store.schemaVersion(), RunStore::kSchemaVersion);
        QCOMPARE(QString::fromStdString(store.integrityCheck()), QString("ok"));
        QVERIFY(store.listRuns().empty());
        QCOMPARE(store.annotationLabels().size(), size_t(7));
    }

    void runsStagesAndMetricsRoundTrip()
    {
        RunStore store(path("runs.sqlite"));
        const int64_t run = store.createRun("micro", "name = 'micro'\n");
        store.beginStage(run, 0, "pretrain", "base", R"({"steps":3})");
        store.appendMetrics({{run, 0, 0, "loss", 4.0, 10},
                             {run, 0, 1, "loss", 3.0, 11},
                             {run, 0, 2, "loss", 2.5, 12},
                             {run, 0, 2, "lr", 1e-3, 12}});
        store.setStageStatus(run, 0, "finished");
        store.beginStage(run, 1, "grpo", "rl", "{}");
        store.appendMetrics({{run, 1, 3, "loss", 1.0, 13}});
        // A resumed run rewrites a step: the point is replaced, not duplicated.
        store.appendMetrics({{run, 1, 3, "loss", 0.5, 14}});
        store.setRunStatus(run, "finished");

        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(QString::fromStdString(runs[0].status), QString("finished"));
        QCOMPARE(runs[0].stageCount, 2);
        QCOMPARE(runs[0].lastStep, int64_t(3));
        QVERIFY(runs[0].finishedAt >= runs[0].createdAt);

        const auto stages = store.stages(run);
        QCOMPARE(stages.size(), size_t(2));
        QCOMPARE(stages[0].firstStep, int64_t(0));
        QCOMPARE(stages[0].lastStep, int64_t(2));
        QCOMPARE(stages[1].firstStep, int64_t(3));

        const auto loss = store.series(run, "loss");
        QCOMPARE(loss.size(), size_t(4));
        QCOMPARE(loss[3].value, 0.5);
        QCOMPARE(loss[3].wallTime, 14.0);
        QCOMPARE(store.metricKeys(run), (std::vector<std::string>{"loss", "lr"}));
        QVERIFY(store.series(run, "missing").empty());
    }

    void downsamplingKeepsExtremesAndOrder()
    {
        RunStore store(path("series.sqlite"));
        const int64_t run = store.createRun("long", "");
        store.beginStage(run, 0, "pretrain", "p", "{}");
        std::vector<MetricPoint> points;
        for (int64_t s = 0; s < 100000; ++s)
            points.push_back({run, 0, s, "reward", double(s % 100), double(s)});
        points[54321].value = 1e6; // a spike must survive downsampling
        points[77777].value = -1e6;
        store.appendMetrics(points);

        const auto series = store.series(run, "reward", 2000);
        QVERIFY(series.size() <= 2000);
        QVERIFY(series.size() >= 1000);
        double maxValue = -1e300, minValue = 1e300;
        for (size_t i = 0; i < series.size(); ++i) {
            if (i > 0)
                QVERIFY(series[i].step > series[i - 1].step);
            maxValue = std::max(maxValue, series[i].value);
            minValue = std::min(minValue, series[i].value);
        }
        QCOMPARE(maxValue, 1e6);
        QCOMPARE(minValue, -1e6);
        QCOMPARE(series.front().step, int64_t(0));
        QCOMPARE(series.back().step, int64_t(99999));

        const auto window = store.series(run, "reward", 0, 100, 199);
        QCOMPARE(window.size(), size_t(100));
        QCOMPARE(window.front().step, int64_t(100));
    }

    // Long series are read from rollups: the result must hold the same extremes and ends as a
    // scan of every row, also after steps are rewritten and for windows cutting rollup buckets.
    void rollupsAgreeWithRawRows()
    {
        RunStore store(path("rollups.sqlite"));
        const int64_t run = store.createRun("rollups", "");
        store.beginStage(run, 0, "pretrain", "p", "{}");
        std::vector<MetricPoint> points;
        for (int64_t s = 0; s < 200000; ++s) {
            points.push_back({run, 0, s, "loss", std::sin(double(s) * 0.001) + double(s % 7), 0});
            if (points.size() == 997) { // batches that do not line up with rollup buckets
                store.appendMetrics(points);
                points.clear();
            }
        }
        store.appendMetrics(points);
        // Rewrite a step inside an already summarised bucket (a resumed run redoing steps).
        store.appendMetrics({{run, 0, 150000, "loss", 1e9, 0}});
        for (auto [from, to] : {std::pair<int64_t, int64_t>{0, 199999}, {1000, 187654}, {149000, 151000}}) {
            const auto down = store.series(run, "loss", 2000, from, to);
            const auto raw = store.series(run, "loss", 0, from, to);
            QVERIFY(down.size() <= 2000);
            QCOMPARE(down.front().step, raw.front().step);
            QCOMPARE(down.back().step, raw.back().step);
            auto extremes = [](const std::vector<SeriesPoint>& v) {
                auto [lo, hi] =
                    std::minmax_element(v.begin(), v.end(), [](auto& a, auto& b) { return a.value < b.value; });
                return std::pair{lo->value, hi->value};
            };
            QCOMPARE(extremes(down), extremes(raw));
        }
        QCOMPARE(store.series(run, "loss", 2000).size() > 1000, true);
    }

    void samplesEvaluationsAnnotationsVotes()
    {
        RunStore store(path("samples.sqlite"));
        const int64_t run = store.createRun("r", "");
        store.beginStage(run, 0, "grpo", "rl", "{}");
        std::vector<SampleRecord> samples(2);
        samples[0].run = samples[1].run = run;
        samples[0].step = 5;
        samples[1].step = 6;
        samples[0].prompt = "2+2?";
        samples[0].completion = "<think>2+2=4</think> 4";
        samples[0].rewardParts = R"({"accuracy":1,"format":1})";
        samples[0].correct = true;
        samples[0].tokenLogprobs = {-0.5f, -1.25f};
        samples[0].tokenIds = {7, 9};
        samples[0].groupIndex = 1;
        samples[0].advantage = -0.75;
        store.addSamples(samples);
        QVERIFY(samples[0].id > 0 && samples[1].id > samples[0].id);
        // GRPO group and advantage round trip; a sample outside a group keeps them NULL.
        QCOMPARE(store.sample(samples[0].id)->groupIndex, std::optional<int>(1));
        QCOMPARE(store.sample(samples[0].id)->advantage, std::optional<double>(-0.75));
        QVERIFY(!store.sample(samples[1].id)->groupIndex && !store.sample(samples[1].id)->advantage);

        const auto atStep = store.samples({.run = run, .step = 5});
        QCOMPARE(atStep.size(), size_t(1));
        QCOMPARE(atStep[0].tokenLogprobs, (std::vector<float>{-0.5f, -1.25f}));
        QCOMPARE(atStep[0].tokenIds, (std::vector<int32_t>{7, 9}));
        QVERIFY(atStep[0].correct);
        QCOMPARE(store.sampleSteps(run), (std::vector<int64_t>{5, 6}));

        AnnotationRecord note;
        note.sample = samples[1].id;
        note.stepBegin = note.stepEnd = 2;
        note.label = "reflection";
        note.note = "checks its sum";
        note.author = "ana";
        const int64_t id = store.addAnnotation(note);
        QCOMPARE(store.annotationsForSample(samples[1].id).size(), size_t(1));
        const auto labelled = store.samples({.run = run, .label = std::string("reflection")});
        QCOMPARE(labelled.size(), size_t(1));
        QCOMPARE(labelled[0].id, samples[1].id);
        store.removeAnnotation(id);
        QVERIFY(store.annotations().empty());

        EvaluationRecord evaluation;
        evaluation.run = run;
        evaluation.model = "ckpt";
        evaluation.dataset = "arithmetic";
        evaluation.k = 4;
        evaluation.summary = R"({"pass@1":0.5})";
        std::vector<EvalItemRecord> items(3);
        items[1].problemId = "p1";
        items[1].pass1 = 0.75;
        store.addEvaluation(evaluation, items);
        QCOMPARE(store.evaluations(run).size(), size_t(1));
        QCOMPARE(store.evalItems(evaluation.id).size(), size_t(3));

        // The same evaluation written again (an evaluation stage killed before it ended, then
        // resumed: its stamp is the step before, which a resume keeps) replaces the first.
        EvaluationRecord again = evaluation;
        std::vector<EvalItemRecord> againItems = items;
        store.addEvaluation(again, againItems);
        QCOMPARE(store.evaluations(run).size(), size_t(1));
        QCOMPARE(store.evaluations(run)[0].id, again.id);
        QCOMPARE(store.evalItems(again.id).size(), size_t(3)); // the first's items went with it
        evaluation = again;
        items = againItems;

        // A run resumed from a checkpoint at step 6 drops what it wrote from there on.
        EvaluationRecord later = evaluation;
        later.step = 6;
        std::vector<EvalItemRecord> laterItems(1);
        store.addEvaluation(later, laterItems);
        store.discardFromStep(run, 6);
        QCOMPARE(store.sampleSteps(run), (std::vector<int64_t>{5}));
        QCOMPARE(store.evaluations(run).size(), size_t(1));
        QCOMPARE(store.evaluations(run)[0].step, int64_t(-1));
        QCOMPARE(store.evalItem(items[1].id)->pass1, 0.75);

        store.setAnnotationLabels({"ok", "bad"});
        QCOMPARE(store.annotationLabels(), (std::vector<std::string>{"ok", "bad"}));
        store.addVote({0, "q", "a", "b", "x", "y", "tie", 0});
        QCOMPARE(store.votes().at(0).vote, std::string("tie"));
    }

    // A step's samples grouped by prompt: the group's mean and spread of rewards, a group whose
    // rewards all agree marked, samples outside a group left out.
    void groupsOfAStep()
    {
        RunStore store(path("groups.sqlite"));
        const int64_t run = store.createRun("r", "");
        std::vector<SampleRecord> samples;
        auto add = [&](std::optional<int> group, double reward) {
            SampleRecord s;
            s.run = run;
            s.step = 3;
            s.prompt = group ? "prompt " + std::to_string(*group) : "rs";
            s.reward = reward;
            s.groupIndex = group;
            samples.push_back(s);
        };
        for (double reward : {1.0, 0.0, 1.0, 0.0})
            add(1, reward);
        for (int i = 0; i < 3; ++i)
            add(0, 0.2);
        add(std::nullopt, 5.0);
        store.addSamples(samples);
        const auto groups = stepGroups(store, run, 3);
        QCOMPARE(groups.size(), size_t(2));
        QCOMPARE(groups[0].index, 0);
        QCOMPARE(groups[0].samples.size(), size_t(3));
        QVERIFY(groups[0].zeroStd);
        QCOMPARE(groups[1].prompt, std::string("prompt 1"));
        QCOMPARE(groups[1].samples.size(), size_t(4));
        QCOMPARE(groups[1].meanReward, 0.5);
        QCOMPARE(groups[1].rewardStd, 0.5);
        QVERIFY(!groups[1].zeroStd);
        QVERIFY(stepGroups(store, run, 4).empty());
    }

    // One column list writes the SQL, binds and reads; a query whose columns do not match the
    // list is an error naming the file, never a row read from shifted columns.
    void rowMapperRoundTripsAndCatchesColumnMismatch()
    {
        const std::string file = path("mapper.sqlite");
        SqliteDb db(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, parent INTEGER, "
                "flag INTEGER, vals BLOB)");
        QCOMPARE(QString::fromStdString(kItemRow.insert()),
                 QString("INSERT INTO items (name, parent, flag, vals) VALUES (?, ?, ?, ?)"));
        QCOMPARE(QString::fromStdString(kItemRow.select()), QString("SELECT id, name, parent, flag, vals FROM items "));
        auto insert = db.prepare(kItemRow.insert());
        for (const Item& item : {Item{0, "a", std::nullopt, true, {1.5f, -2.0f}}, Item{0, "b", 1, false, {}}}) {
            kItemRow.bind(insert, item);
            insert.run();
        }
        auto all = db.prepare(kItemRow.select() + "ORDER BY id");
        const auto rows = readAll(all, kItemRow);
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows[0].id, int64_t(1));
        QCOMPARE(QString::fromStdString(rows[0].name), QString("a"));
        QVERIFY(!rows[0].parent && rows[0].flag);
        QCOMPARE(rows[0].values, (std::vector<float>{1.5f, -2.0f}));
        QCOMPARE(rows[1].parent, std::optional<int64_t>(1));
        QVERIFY(!rows[1].flag && rows[1].values.empty());
        auto nullBlob = db.prepare("SELECT vals IS NULL FROM items WHERE id = 2");
        QCOMPARE(readFirst(nullBlob, valueColumn<bool>), std::optional<bool>(true));

        auto narrow = db.prepare("SELECT id, name FROM items");
        try {
            readAll(narrow, kItemRow);
            QFAIL("read a two-column query into a five-column row");
        } catch (const Error& e) {
            QCOMPARE(e.file(), file);
            QVERIFY2(std::string(e.what()).find("returns 2 columns but the row mapper for 'items' "
                                                "reads 5") != std::string::npos,
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, readAll(narrow, valueColumn<int64_t>));
    }

    void foreignFileIsRejectedAndUntouched()
    {
        const std::string text = path("notes.txt");
        std::ofstream(text) << "these are my notes, not a database\n";
        const std::string before = readFile(text);
        QVERIFY_THROWS_EXCEPTION(Error, RunStore{text});
        QCOMPARE(readFile(text), before);

        // An SQLite file of another application.
        const std::string other = path("other.sqlite");
        {
            RunStore scratch(path("scratch.sqlite")); // create something valid elsewhere first
        }
        QProcess sqlite;
        sqlite.start("sqlite3", {QString::fromStdString(other),
                                 "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');"});
        QVERIFY(sqlite.waitForFinished());
        const std::string otherBefore = readFile(other);
        try {
            RunStore store(other);
            QFAIL("opened a foreign SQLite database");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("not a ThinkBench run database") != std::string::npos);
            QCOMPARE(e.file(), other);
        }
        QCOMPARE(readFile(other), otherBefore);
    }

    void newerSchemaIsRejectedAndUntouched()
    {
        const std::string file = path("newer.sqlite");
        {
            RunStore store(file);
            store.createRun("keep me", "");
        }
        QProcess sqlite;
        sqlite.start("sqlite3", {QString::fromStdString(file), "PRAGMA user_version = 99;"});
        QVERIFY(sqlite.waitForFinished());
        const std::string before = readFile(file);
        try {
            RunStore store(file);
            QFAIL("opened a newer schema");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("newer") != std::string::npos);
        }
        QCOMPARE(readFile(file), before);
    }

    void readOnlyOpenNeedsAnExistingStore()
    {
        QVERIFY_THROWS_EXCEPTION(Error, RunStore(path("absent.sqlite"), OpenMode::ReadOnly));
        QVERIFY(!QFile::exists(dir_.filePath("absent.sqlite")));
    }

    // One process writes batches while this one reads: readers never fail and counts only grow.
    void readerWhileAnotherProcessWrites()
    {
        const std::string file = path("concurrent.sqlite");
        int64_t run;
        {
            RunStore store(file);
            run = store.createRun("live", "");
            store.beginStage(run, 0, "pretrain", "p", "{}");
        }
        const pid_t child = fork();
        if (child == 0) {
            RunStore writer(file);
            for (int64_t step = 0; step < 400; ++step)
                writer.appendMetrics(batch(run, step, 20));
            _exit(0);
        }
        RunStore reader(file, OpenMode::ReadOnly);
        size_t lastCount = 0;
        int reads = 0;
        int status = 0;
        while (waitpid(child, &status, WNOHANG) == 0) {
            const size_t count = reader.series(run, "key3").size();
            QVERIFY(count >= lastCount);
            lastCount = count;
            ++reads;
        }
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QCOMPARE(reader.series(run, "key3").size(), size_t(400));
        QCOMPARE(reader.listRuns().at(0).lastStep, int64_t(399));
        QVERIFY(reads > 1);
    }

    // Readers polling at full speed on three threads while another process writes steps the way
    // a run does (a step's metrics in one call, then its group of samples): no read fails (no
    // SQLITE_BUSY), and none is torn: every key reaches the last step any read saw, samples come
    // in whole groups, and a downsampled series equals the same read of the finished file.
    void readersPollingAWritingProcessSeeWholeSteps()
    {
        const std::string file = path("polled.sqlite");
        int64_t run;
        {
            RunStore store(file);
            run = store.createRun("polled", "");
            store.beginStage(run, 0, "grpo", "g", "{}");
        }
        const int steps = 1500, keys = 8, group = 4;
        const pid_t child = fork();
        if (child == 0) {
            RunStore writer(file);
            for (int64_t step = 0; step < steps; ++step) {
                writer.appendMetrics(batch(run, step, keys));
                std::vector<SampleRecord> samples(group);
                for (auto& s : samples) {
                    s.run = run;
                    s.step = step;
                    s.completion = "step " + std::to_string(step);
                }
                writer.addSamples(samples);
            }
            _exit(0);
        }
        std::mutex mutex;
        QStringList failures;
        std::vector<std::vector<SeriesPoint>> downsampled;
        std::atomic<bool> writing{true};
        std::atomic<int> polls{0};
        auto fail = [&](const QString& what) {
            const std::lock_guard lock(mutex);
            if (failures.size() < 10)
                failures << what;
        };
        auto poll = [&] {
            try {
                RunStore reader(file, OpenMode::ReadOnly);
                while (writing) {
                    const int64_t last = reader.lastStep(run);
                    for (const char* key : {"key0", "key7"}) {
                        const auto series = reader.series(run, key);
                        if (int64_t(series.size()) < last + 1)
                            fail(QString("%1 has %2 steps after step %3 was seen")
                                     .arg(key)
                                     .arg(series.size())
                                     .arg(last));
                        for (size_t i = 0; i < series.size(); ++i)
                            if (series[i].step != int64_t(i))
                                fail(QString("%1: step %2 at %3").arg(key).arg(series[i].step).arg(i));
                    }
                    std::map<int64_t, int> perStep;
                    for (const auto& s : reader.samples({.run = run, .limit = 1000000}))
                        ++perStep[s.step];
                    for (const auto& [step, count] : perStep)
                        if (count != group)
                            fail(QString("step %1 shows %2 of its %3 samples").arg(step).arg(count).arg(group));
                    auto points = reader.series(run, "key3", 40);
                    if (polls++ % 8 == 0 && !points.empty()) {
                        const std::lock_guard lock(mutex);
                        downsampled.push_back(std::move(points));
                    }
                }
            } catch (const std::exception& e) {
                fail(QString("a read failed: ") + e.what());
            }
        };
        std::vector<std::thread> readers;
        for (int i = 0; i < 3; ++i)
            readers.emplace_back(poll);
        int status = 0;
        waitpid(child, &status, 0);
        writing = false;
        for (auto& r : readers)
            r.join();
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join("; ")));
        qInfo("%d polls by 3 readers, %zu downsampled reads checked", polls.load(), downsampled.size());
        QVERIFY(polls > 30);

        RunStore store(file, OpenMode::ReadOnly);
        for (const auto& seen : downsampled) {
            const auto again = store.series(run, "key3", 40, INT64_MIN, seen.back().step);
            QCOMPARE(seen.size(), again.size());
            for (size_t i = 0; i < seen.size(); ++i) {
                QCOMPARE(seen[i].step, again[i].step);
                QCOMPARE(seen[i].value, again[i].value);
            }
        }
    }

    // SIGKILL a writer mid-batch: the file opens, passes integrity_check and holds every batch the
    // writer reported committed, and no part of an uncommitted one.
    void writerKilledMidBatchLosesNothingCommitted()
    {
        const std::string file = path("crash.sqlite");
        int64_t run;
        {
            RunStore store(file);
            run = store.createRun("crash", "");
            store.beginStage(run, 0, "pretrain", "p", "{}");
        }
        int pipeFds[2];
        QCOMPARE(pipe(pipeFds), 0);
        const pid_t child = fork();
        if (child == 0) {
            close(pipeFds[0]);
            RunStore writer(file);
            for (int64_t step = 0;; ++step) {
                writer.appendMetrics(batch(run, step, 500));
                const int64_t committed = step;
                if (write(pipeFds[1], &committed, sizeof committed) != sizeof committed)
                    _exit(1);
            }
        }
        close(pipeFds[1]);
        int64_t committed = -1, value;
        while (committed < 40 && read(pipeFds[0], &value, sizeof value) == sizeof value)
            committed = value;
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        while (read(pipeFds[0], &value, sizeof value) == sizeof value)
            committed = value;
        close(pipeFds[0]);

        RunStore store(file);
        QCOMPARE(QString::fromStdString(store.integrityCheck()), QString("ok"));
        const auto first = store.series(run, "key0");
        const auto last = store.series(run, "key499");
        QVERIFY(int64_t(first.size()) >= committed + 1);
        // Batches are atomic: every key has the same number of steps.
        QCOMPARE(first.size(), last.size());
        for (size_t i = 0; i < first.size(); ++i)
            QCOMPARE(first[i].step, int64_t(i));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
