// Task families, their worked solutions, splits and dataset import.

#include "core/error.h"
#include "core/tasks/rewards/rewards.h"
#include "core/tasks/task.h"
#include "core/tasks/verifier.h"

#include <QtTest>

#include <fstream>
#include <set>

using namespace thinkbench::core;

class TestTasks : public QObject {
    Q_OBJECT

private slots:
    void families_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::newRow("arithmetic") << "arithmetic:digits=1-3,ops=+-*";
        QTest::newRow("countdown") << "countdown:numbers=4,max_target=100";
        QTest::newRow("linear") << "linear:coef=1-9";
        QTest::newRow("knights") << "knights:people=2-3";
    }

    // Every generated problem is solved by its own worked solution, checked by the verifier and
    // the rewards; splits never share a problem; generation is deterministic.
    void families()
    {
        QFETCH(QString, spec);
        const auto family = makeTask(spec.toStdString());
        const auto train = generateProblems(*family, Split::Train, 60, 1);
        const auto heldOut = generateProblems(*family, Split::HeldOut, 20, 1);
        QCOMPARE(train.size(), size_t(60));
        QCOMPARE(heldOut.size(), size_t(20));
        std::set<std::string> prompts;
        for (const auto& p : train)
            prompts.insert(p.prompt);
        for (const auto& p : heldOut)
            QVERIFY(!prompts.count(p.prompt));
        QCOMPARE(generateProblems(*family, Split::Train, 60, 1)[17].prompt, train[17].prompt);
        QVERIFY(generateProblems(*family, Split::Train, 60, 2)[0].prompt != train[0].prompt ||
                generateProblems(*family, Split::Train, 60, 2)[1].prompt != train[1].prompt);

        std::mt19937_64 rng(5);
        int withCheck = 0, withWait = 0;
        for (const auto& p : train) {
            const auto [reasoning, answer] = family->solve(p, rng, TraceStyle{.selfCheckRate = 0.5, .mistakeRate = 0.3});
            const std::string trace = formatTrace(reasoning, answer);
            const auto r = computeRewards(trace, 50, p.truth, p.task, RewardConfig{});
            QVERIFY2(r.correct && r.wellFormed, (p.prompt + "\n" + trace + "\ntruth " + p.truth).c_str());
            withCheck += reasoning.find("Let me verify") != std::string::npos;
            withWait += reasoning.find("Wait") != std::string::npos;
            // A wrong answer is wrong.
            QVERIFY(!computeRewards(formatTrace(reasoning, answer + "1"), 50, p.truth, p.task, {}).correct);
        }
        QVERIFY(withCheck > 0);
        if (family->name() != "linear" && family->name() != "knights")
            QVERIFY(withWait > 0);
    }

    void specErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("chess"));
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("arithmetic:digits=3-1"));
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("arithmetic:ops=^"));
        try {
            makeTask("countdown:numbrs=3");
            QFAIL("accepted an unknown option");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.place()), QString("numbrs"));
        }
    }

    void datasetImport()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.jsonl").toStdString();
        std::ofstream(path) << R"({"id": "a", "question": "1+1?", "answer": "2"})" "\n"
                            << "not json\n"
                            << R"({"problem": "2+2?", "solution": "so \\boxed{4}"})" "\n"
                            << R"({"prompt": "3+3?"})" "\n"
                            << R"({"question": "5*5?", "final_answer": 25})" "\n";
        DatasetReport report;
        const auto problems = loadDataset(path, report);
        QCOMPARE(problems.size(), size_t(3));
        QCOMPARE(report.loaded, 3);
        QCOMPARE(report.skipped, 2);
        QVERIFY(QString::fromStdString(report.problems[0]).endsWith("data.jsonl:2: invalid JSON"));
        QVERIFY(QString::fromStdString(report.problems[1]).contains("data.jsonl:4: missing field answer"));
        QCOMPARE(problems[1].truth, std::string("4"));
        QCOMPARE(problems[2].truth, std::string("25"));
        QCOMPARE(problems[0].id, std::string("a"));

        const std::string array = dir.filePath("data.json").toStdString();
        std::ofstream(array) << R"([{"question": "q", "answer": "1"}, {"question": "r"}])";
        DatasetReport arrayReport;
        QCOMPARE(loadDataset(array, arrayReport).size(), size_t(1));
        QVERIFY(QString::fromStdString(arrayReport.problems[0]).contains("item 2"));

        DatasetReport shipped;
        const auto mini = loadDataset(THINKBENCH_SOURCE_DIR "/resources/tasks/math_mini.jsonl", shipped);
        QCOMPARE(shipped.skipped, 0);
        QVERIFY(mini.size() >= 40);
    }
};

QTEST_GUILESS_MAIN(TestTasks)
#include "tst_tasks.moc"
