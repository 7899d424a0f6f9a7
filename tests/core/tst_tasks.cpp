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
            const auto [reasoning, answer] =
                family->solve(p, rng, TraceStyle{.selfCheckRate = 0.5, .mistakeRate = 0.3});
            const std::string trace = formatTrace(reasoning, answer);
            const auto r = computeRewards(trace, 50, p.truth, p.task, RewardSettings{}, ResponseFormat{});
            QVERIFY2(r.correct && r.wellFormed, (p.prompt + "\n" + trace + "\ntruth " + p.truth).c_str());
            withCheck += reasoning.find("Let me verify") != std::string::npos;
            withWait += reasoning.find("Wait") != std::string::npos;
            // A wrong answer is wrong.
            QVERIFY(!computeRewards(formatTrace(reasoning, answer + "1"), 50, p.truth, p.task, {}, {}).correct);
        }
        QVERIFY(withCheck > 0);
        if (family->name() != "linear" && family->name() != "knights")
            QVERIFY(withWait > 0);
    }

    // Multi-digit arithmetic is worked column by column, so every step is a one-digit fact.
    void columnSolutions()
    {
        const auto family = makeTask("arithmetic:digits=1-3,ops=+-*");
        auto problem = [](long long a, char op, long long b, long long truth) {
            Problem p;
            p.task = "arithmetic";
            p.truth = std::to_string(truth);
            p.meta = {{"a", a}, {"b", b}, {"op", std::string(1, op)}};
            return p;
        };
        std::mt19937_64 rng(1);
        const TraceStyle plain{.selfCheckRate = 0, .mistakeRate = 0};
        QCOMPARE(family->solve(problem(47, '+', 85, 132), rng, plain).first,
                 std::string("Units: 7 + 5 = 12. Write 2, carry 1.\n"
                             "Tens: 4 + 8 + 1 = 13. Write 13.\n"
                             "So 47 + 85 = 132.\n"));
        QCOMPARE(family->solve(problem(52, '-', 48, 4), rng, plain).first,
                 std::string("Units: 2 - 8 is negative, borrow 10: 12 - 8 = 4. Write 4, borrow 1.\n"
                             "Tens: 5 - 4 - 1 = 0. Write 0.\n"
                             "So 52 - 48 = 4.\n"));
        QCOMPARE(family->solve(problem(7, '-', 31, -24), rng, plain).first,
                 std::string("7 is less than 31, so compute 31 - 7 and negate.\n"
                             "Units: 1 - 7 is negative, borrow 10: 11 - 7 = 4. Write 4, borrow 1.\n"
                             "Tens: 3 - 0 - 1 = 2. Write 2.\n"
                             "So 7 - 31 = -24.\n"));
        QCOMPARE(family->solve(problem(47, '*', 8, 376), rng, plain).first,
                 std::string("Units: 7 * 8 = 56. Write 6, carry 5.\n"
                             "Tens: 4 * 8 = 32. 32 + 5 = 37. Write 37.\n"
                             "So 47 * 8 = 376.\n"));
        QCOMPARE(family->solve(problem(12, '*', 31, 372), rng, plain).first,
                 std::string("12 * 1:\nUnits: 2 * 1 = 2. Write 2.\nTens: 1 * 1 = 1. Write 1.\n"
                             "12 * 3:\nUnits: 2 * 3 = 6. Write 6.\nTens: 1 * 3 = 3. Write 3.\n"
                             "So 12 * 30 = 360.\n"
                             "Add 12 + 360:\nUnits: 2 + 0 = 2. Write 2.\nTens: 1 + 6 = 7. Write 7.\n"
                             "Hundreds: 0 + 3 = 3. Write 3.\n"
                             "So 12 * 31 = 372.\n"));
        // A slip is caught on its own line with "Wait"; answer-only solutions skip the working.
        const auto slipped = family->solve(problem(47, '+', 85, 132), rng, {.selfCheckRate = 0, .mistakeRate = 1});
        QVERIFY2(slipped.first.starts_with("Units: 7 + 5 = 13. Wait, 7 + 5 = 12."), slipped.first.c_str());
        QCOMPARE(family->solve(problem(47, '+', 85, 132), rng, {.answerOnlyRate = 1}).first,
                 std::string("47 + 85 = 132.\n"));
    }

    // Countdown solutions search: every rejected attempt really misses the target, and the last
    // attempt is the answer. Numbers stay within max_number.
    void countdownSearch()
    {
        const auto family = makeTask("countdown:numbers=3,max_number=9,max_target=30");
        std::mt19937_64 rng(3);
        int rejected = 0;
        for (const auto& p : generateProblems(*family, Split::Train, 40, 7)) {
            std::stringstream numbers(p.truth.substr(p.truth.find('|') + 1));
            for (std::string n; std::getline(numbers, n, ',');)
                QVERIFY2(std::stoi(n) >= 1 && std::stoi(n) <= 9, p.truth.c_str());
            const auto [reasoning, answer] = family->solve(p, rng, {.selfCheckRate = 0});
            const std::string target = p.truth.substr(0, p.truth.find('|'));
            std::stringstream lines(reasoning);
            std::string line;
            while (std::getline(lines, line)) {
                QVERIFY2(line.starts_with("Try "), line.c_str());
                if (line.find(". Wait, ") == std::string::npos) {
                    QVERIFY2(line.ends_with(". That reaches " + target + "."), line.c_str());
                    continue;
                }
                ++rejected;
                // "Try 3 + 5 = 8, 8 * 2 = 16. Wait, 16 is not 15."
                const std::string last = line.substr(line.rfind("= ") + 2);
                const std::string value = last.substr(0, last.find('.'));
                QVERIFY2(line.ends_with(value + " is not " + target + "."), line.c_str());
                QVERIFY(value != target);
            }
        }
        QVERIFY(rejected > 20);
    }

    void specErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("chess"));
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("arithmetic:digits=3-1"));
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("arithmetic:ops=^"));
        QVERIFY_THROWS_EXCEPTION(Error, makeTask("countdown:max_number=1"));
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
        std::ofstream(path) << R"({"id": "a", "question": "1+1?", "answer": "2"})"
                               "\n"
                            << "not json\n"
                            << R"({"problem": "2+2?", "solution": "so \\boxed{4}"})"
                               "\n"
                            << R"({"prompt": "3+3?"})"
                               "\n"
                            << R"({"question": "5*5?", "final_answer": 25})"
                               "\n";
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
