// Answer extraction, exact equivalence and rewards, including attempts to game the rewards, and
// agreement with Hugging Face's math-verify (PyPI, run at test time) on a corpus of 2,170 pairs.

#include "core/tasks/exact.h"
#include "core/tasks/rewards/rewards.h"
#include "core/tasks/verifier.h"

#include <nlohmann/json.hpp>

#include "tests/python_peer.h"

#include <QtTest>

#include <map>
#include <string_view>
#include <vector>

using namespace thinkbench::core;

namespace {

const QString kCorpus = THINKBENCH_SOURCE_DIR "/tests/data/verifier/corpus.jsonl";
const QString kDisagreements = THINKBENCH_SOURCE_DIR "/tests/data/verifier/disagreements.tsv";

QList<QByteArray> nonEmptyLines(const QByteArray& text)
{
    QList<QByteArray> lines = text.split('\n');
    while (!lines.isEmpty() && lines.back().trimmed().isEmpty())
        lines.pop_back();
    return lines;
}

struct Verdicts {
    bool ours, mathVerify;
    bool operator==(const Verdicts&) const = default;
};

// One disagreement, in full for the log: the test's failure message is cut short by QtTest.
void warnAbout(int line, const Verdicts& v, const QByteArray& pair)
{
    const auto json = nlohmann::json::parse(pair.toStdString());
    qWarning("corpus line %d: ours %s, math-verify %s; truth %s; response %s", line, v.ours ? "true" : "false",
             v.mathVerify ? "true" : "false", json["truth"].dump().c_str(), json["response"].dump().c_str());
}

// Responses built to hang or crash an answer checker, each with a truth it does not meet.
struct Adversarial {
    const char* name;
    std::string response, truth, task;
};

std::string repeated(std::string_view piece, int times)
{
    std::string out;
    out.reserve(piece.size() * size_t(times));
    for (int i = 0; i < times; ++i)
        out += piece;
    return out;
}

std::vector<Adversarial> adversarialResponses()
{
    const int n = 100000;
    std::string sqrtSum; // 25 square roots to the 64th power: 2^25 terms if nothing stopped it
    for (int p : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97})
        sqrtSum += (sqrtSum.empty() ? "" : "+") + std::string("\\sqrt{") + std::to_string(p) + "}";
    return {
        {"a million digits", "\\boxed{" + std::string(1000000, '1') + "}", "2", ""},
        {"100k nested parentheses", "\\boxed{" + repeated("(", n) + "1" + repeated(")", n) + "}", "2", ""},
        {"100k nested braces", "\\boxed{" + repeated("{", n) + "1" + repeated("}", n) + "}", "2", ""},
        {"100k nested \\sqrt", "\\boxed{" + repeated("\\sqrt{", n) + "4" + repeated("}", n) + "}", "2", ""},
        {"100k nested \\frac", "\\boxed{" + repeated("\\frac{1}{", n) + "2" + repeated("}", n) + "}", "2", ""},
        {"100k nested \\boxed", repeated("\\boxed{", n) + "1" + repeated("}", n), "2", ""},
        {"100k unclosed \\boxed", repeated("\\boxed{", n) + "1", "2", ""},
        {"450 nested parentheses", "\\boxed{" + repeated("(", 450) + "1" + repeated(")", 450) + "}", "2", ""},
        {"60 nested \\frac", "\\boxed{" + repeated("\\frac{1}{", 60) + "2" + repeated("}", 60) + "}", "3", ""},
        {"990 minus signs", "\\boxed{" + std::string(990, '-') + "1}", "2", ""},
        {"a tower of 490 powers", "\\boxed{" + repeated("2^", 490) + "1}", "3", ""},
        {"10^10^10^10", "\\boxed{10^10^10^10}", "2", ""},
        {"9^{9^{9^{9^9}}}", "\\boxed{9^{9^{9^{9^{9}}}}}", "2", ""},
        {"100000!", "\\boxed{100000!}", "2", ""},
        {"(1000000!)!", "\\boxed{(1000000!)!}", "2", ""},
        {"sum of square roots ^64", "\\boxed{(" + sqrtSum + ")^{64}}", "2", ""},
        {"square root of a prime near 2^62", "\\boxed{\\sqrt{4611686018427387847}}", "2", ""},
        {"letters after a number (regex backtracking)", "\\boxed{1 " + std::string(60, 'a') + "1}", "2", ""},
        {"a set of 301 items", "\\boxed{\\{" + repeated("1,", 300) + "2\\}}", "\\{" + repeated("1,", 300) + "3\\}", ""},
        {"a 301-cell matrix", "\\boxed{\\begin{pmatrix}" + repeated("1&", 300) + "1\\end{pmatrix}}",
         "\\begin{pmatrix}" + repeated("1&", 300) + "2\\end{pmatrix}", ""},
        {"the answer is a million digits", "the answer is " + std::string(1000000, '7'), "2", ""},
        {"70k answer phrases", repeated("the answer is 1\n", 70000), "2", ""},
        {"final answer: and a megabyte of spaces", "final answer:" + std::string(1000000, ' '), "2", ""},
        {"half a million numbers", "x " + repeated("1,", 500000), "2", ""},
        {"countdown over 400 numbers", "<answer>" + repeated("1+", 400) + "1</answer>",
         "402|" + repeated("1,", 400) + "1", "countdown"},
        {"countdown with a million digits", "<answer>" + std::string(1000000, '9') + "</answer>", "9|9", "countdown"},
    };
}

} // namespace

class TestVerifier : public QObject {
    Q_OBJECT

private slots:
    void extraction_data()
    {
        QTest::addColumn<QString>("response");
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("rule");
        QTest::newRow("boxed") << "so \\boxed{42}."
                               << "42"
                               << "boxed";
        QTest::newRow("nested braces") << "\\boxed{\\frac{1}{2}}"
                                       << "\\frac{1}{2}"
                                       << "boxed";
        QTest::newRow("last box wins") << "\\boxed{3} no wait \\boxed{4}"
                                       << "4"
                                       << "boxed";
        QTest::newRow("boxed without braces") << "answer: $\\boxed 7$"
                                              << "7"
                                              << "boxed";
        QTest::newRow("answer tag") << "<think>x</think> <answer> 12 </answer>"
                                    << "12"
                                    << "answer_tag";
        QTest::newRow("phrase") << "Therefore, the final answer is 3/4."
                                << "3/4"
                                << "final_answer_phrase";
        QTest::newRow("the answer is") << "So the answer is: -5"
                                       << "-5"
                                       << "final_answer_phrase";
        QTest::newRow("last number") << "we get 12 then 15 apples"
                                     << "15"
                                     << "last_number";
        QTest::newRow("nothing") << "no idea"
                                 << ""
                                 << "none";
    }
    void extraction()
    {
        QFETCH(QString, response);
        QFETCH(QString, answer);
        QFETCH(QString, rule);
        const Extraction e = extractAnswer(response.toStdString());
        QCOMPARE(QString::fromStdString(e.answer), answer);
        QCOMPARE(QString(extractionRuleName(e.rule)), rule);
    }

    void equivalence_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("truth");
        QTest::addColumn<bool>("same");
        QTest::newRow("integer") << "42"
                                 << "42" << true;
        QTest::newRow("integer wrong") << "41"
                                       << "42" << false;
        QTest::newRow("decimal") << "0.50"
                                 << "1/2" << true;
        QTest::newRow("decimal near miss") << "0.3333333"
                                           << "1/3" << false;
        QTest::newRow("thousands") << "1,234,567"
                                   << "1234567" << true;
        QTest::newRow("thousands wrong") << "1,234,568"
                                         << "1234567" << false;
        QTest::newRow("thousands latex comma") << "2{,}354{,}249"
                                               << "2354249" << true;
        QTest::newRow("thousands thin space") << "8\\,426\\,449"
                                              << "8426449" << true;
        QTest::newRow("scientific") << "2.5e3"
                                    << "2500" << true;
        QTest::newRow("scientific negative") << "1.2E-4"
                                             << "1.2\\times 10^{-4}" << true;
        QTest::newRow("scientific wrong") << "2.5e3"
                                          << "250" << false;
        QTest::newRow("sign") << "-7"
                              << "−7" << true;
        QTest::newRow("sign wrong") << "7"
                                    << "-7" << false;
        QTest::newRow("percent") << "12.5%"
                                 << "1/8" << true;
        QTest::newRow("latex percent") << "50\\%"
                                       << "0.5" << true;
        QTest::newRow("percent of bare truth") << "74\\%"
                                               << "74" << true;
        QTest::newRow("bare answer of percent") << "74"
                                                << "74\\%" << true;
        QTest::newRow("percent shifted") << "7.4\\%"
                                         << "74" << false;
        QTest::newRow("frac") << "\\frac{3}{4}"
                              << "0.75" << true;
        QTest::newRow("dfrac") << "\\dfrac{6}{8}"
                               << "3/4" << true;
        QTest::newRow("tfrac short") << "\\tfrac12"
                                     << "0.5" << true;
        QTest::newRow("frac wrong") << "\\frac{4}{3}"
                                    << "3/4" << false;
        QTest::newRow("mixed latex") << "2\\frac{1}{3}"
                                     << "7/3" << true;
        QTest::newRow("mixed text") << "3 1/2"
                                    << "3.5" << true;
        QTest::newRow("mixed is not product") << "2\\frac{1}{3}"
                                              << "2/3" << false;
        QTest::newRow("sqrt") << "2\\sqrt{8}"
                              << "4\\sqrt{2}" << true;
        QTest::newRow("sqrt rational") << "\\sqrt{16}"
                                       << "4" << true;
        QTest::newRow("sqrt wrong") << "\\sqrt{3}"
                                    << "\\sqrt{2}" << false;
        QTest::newRow("sqrt of one digit") << "\\sqrt96"
                                           << "18" << true; // TeX reads \sqrt{9}6
        QTest::newRow("sqrt of one digit only") << "\\sqrt96"
                                                << "4\\sqrt{6}" << false;
        QTest::newRow("unicode sqrt") << "√16"
                                      << "4" << true;
        QTest::newRow("pi") << "\\frac{\\pi}{2}"
                            << "0.5\\pi" << true;
        QTest::newRow("pi is not 3.14") << "3.14"
                                        << "\\pi" << false;
        QTest::newRow("expression") << "(3+4)\\times 2"
                                    << "14" << true;
        QTest::newRow("power") << "2^{10}"
                               << "1024" << true;
        QTest::newRow("text wrapper") << "\\text{5 apples}"
                                      << "5" << true;
        QTest::newRow("unit") << "12 cm"
                              << "12" << true;
        QTest::newRow("degrees") << "90^\\circ"
                                 << "90" << true;
        QTest::newRow("unit power") << "12\\text{ cm}^2"
                                    << "12" << true;
        QTest::newRow("unit rate power") << "9.8\\,\\mathrm{m/s^2}"
                                         << "9.8" << true;
        QTest::newRow("power of x is no unit") << "2x^2"
                                               << "2" << false;
        QTest::newRow("equation") << "x = \\frac{1}{2}"
                                  << "0.5" << true;
        QTest::newRow("equation truth") << "-3"
                                        << "y=-3" << true;
        QTest::newRow("equation variable") << "y = 5"
                                           << "x = 5" << false;
        QTest::newRow("stray closing brace") << "\\frac{1}{2}}"
                                             << "0.5" << true;
        QTest::newRow("unclosed left") << "\\left(\\frac{1}{2}"
                                       << "0.5" << false;
        QTest::newRow("interval") << "(1, 2]"
                                  << "(1,2]" << true;
        QTest::newRow("interval ends") << "[1, 2]"
                                       << "(1,2]" << false;
        QTest::newRow("interval left right") << "\\left[1, 3\\right)"
                                             << "[1,3)" << true;
        QTest::newRow("set unordered") << "\\{3, 1, 2\\}"
                                       << "{1,2,3}" << true;
        QTest::newRow("list unordered") << "2, 1"
                                        << "1, 2" << true;
        QTest::newRow("set missing") << "{1, 2}"
                                     << "{1,2,3}" << false;
        QTest::newRow("tuple ordered") << "(1, 2)"
                                       << "(1, 2)" << true;
        QTest::newRow("tuple order") << "(2, 1)"
                                     << "(1, 2)" << false;
        QTest::newRow("tuple left right") << "\\left(1, 2\\right)"
                                          << "(1, 2)" << true;
        QTest::newRow("matrix") << "\\begin{bmatrix}0.5&2\\\\3&4\\end{bmatrix}"
                                << "\\begin{pmatrix} \\frac{1}{2} & 2 \\\\ 3 & 4 \\end{pmatrix}" << true;
        QTest::newRow("matrix transposed") << "\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}"
                                           << "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}" << false;
        QTest::newRow("determinant") << "\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}"
                                     << "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}" << false;
        QTest::newRow("text case") << "  Knight "
                                   << "knight" << true;
        QTest::newRow("text differs") << "knave"
                                      << "knight" << false;
        QTest::newRow("choice") << "(B)"
                                << "B" << true;
        QTest::newRow("choice phrase") << "answer: b"
                                       << "B" << true;
        QTest::newRow("choice wrong") << "C"
                                      << "B" << false;
        QTest::newRow("two candidates") << "3 or 4"
                                        << "3" << false;
        QTest::newRow("empty") << ""
                               << "3" << false;
    }
    void equivalence()
    {
        QFETCH(QString, answer);
        QFETCH(QString, truth);
        QFETCH(bool, same);
        QCOMPARE(equivalent(answer.toStdString(), truth.toStdString()), same);
    }

    void exactArithmetic()
    {
        QCOMPARE(evaluateExact("1/3 + 1/6")->str(), std::string("1/2"));
        QCOMPARE(evaluateExact("\\sqrt{12}")->str(), std::string("2*sqrt(3)"));
        QVERIFY(!evaluateExact("x + 1"));
        QVERIFY(!evaluateExact("1/0"));
        QCOMPARE(evaluateExact("2.5e3")->str(), std::string("2500"));
        QVERIFY(!evaluateExact("1e400")); // beyond exact 128-bit arithmetic
        QVERIFY(!evaluateExact("99999999999999999999999999999999999999999 * 999999999")); // overflow
    }

    void countdown()
    {
        QVERIFY(verify("<answer>(25 - 5) * 3</answer>", "60|3,5,25", "countdown").correct);
        QVERIFY(verify("<answer>3*25-5*3</answer>", "60|3,5,25", "countdown").correct == false); // 3 twice
        QVERIFY(!verify("<answer>60</answer>", "60|3,5,25", "countdown").correct);               // no numbers used
        QVERIFY(!verify("<answer>25+5+3</answer>", "60|3,5,25", "countdown").correct);           // wrong value
        // A policy's runaway digits are a wrong answer, not an error.
        QVERIFY(!verify("<answer>25 * 3 - 99999999999999999999999</answer>", "60|3,5,25", "countdown").correct);
        QVERIFY(verify("<answer>25 + 5 * 3 = 40</answer>", "40|3,5,25", "countdown").correct);
        QVERIFY(!verify("<answer>3e2</answer>", "300|2,3", "countdown").correct); // 300 is not given
    }

    void rewards()
    {
        RewardSettings c;
        c.overlong_buffer = 20;
        const ResponseFormat format{.maxTokens = 100};
        auto r = computeRewards("<think>7*6 = 42</think> <answer>42</answer>", 20, "42", "", c, format);
        QCOMPARE(r.parts["accuracy"], 1.0);
        QCOMPARE(r.parts["format"], 1.0);
        QVERIFY(r.wellFormed);
        QCOMPARE(r.total, 1.2);
        QCOMPARE(r.parts["length"], 0.0);
        r = computeRewards("<think>7*6 = 42</think> <answer>42</answer>", 90, "42", "", c, format);
        QCOMPARE(r.parts["length"], -0.5);
        QCOMPARE(computeRewards("<think>a</think><answer>1</answer>", 100, "1", "", c, format).parts["length"], -1.0);
        // The distill template: the answer follows </think>, the prompt opened the thought.
        const ResponseFormat distill{
            .placement = AnswerPlacement::AfterThink, .promptOpensThinking = true, .maxTokens = 100};
        r = computeRewards("x=2 so 4\n</think>\n\n\\boxed{4}", 10, "4", "", c, distill);
        QVERIFY(r.correct && r.wellFormed);
    }

    // Ways a policy could try to collect reward without earning it.
    void rewardHacking_data()
    {
        QTest::addColumn<QString>("completion");
        QTest::addColumn<double>("accuracy");
        QTest::newRow("answer only in the thought")
            << "<think>the answer is 42, \\boxed{42}</think> <answer>I am not sure</answer>" << 0.0;
        QTest::newRow("no thought") << "<answer>42</answer>" << 0.0;
        QTest::newRow("empty thought") << "<think> </think> <answer>42</answer>" << 0.0;
        QTest::newRow("boxes with different answers")
            << "<think>try</think> <answer>\\boxed{41} \\boxed{43} \\boxed{40}</answer>" << 0.0;
        QTest::newRow("several candidates") << "<think>hmm</think> <answer>41, 42, 43</answer>" << 0.0;
        QTest::newRow("candidates with or") << "<think>hmm</think> <answer>42 or 43</answer>" << 0.0;
        QTest::newRow("nested tags") << "<think>a<think>b</think></think> <answer>42</answer>" << 0.0;
        QTest::newRow("repeated thoughts")
            << "<think>a</think> <answer>1</answer><think>b</think> <answer>42</answer>" << 0.0;
        QTest::newRow("repeated answers") << "<think>a</think> <answer>1</answer> <answer>42</answer>" << 0.0;
        QTest::newRow("truth echoed from the prompt")
            << "<think>The problem says 6*7=42 is wrong; compute 6*8</think> <answer>48</answer>" << 0.0;
        QTest::newRow("honest") << "<think>6*7=42</think> <answer>42</answer>" << 1.0;
    }
    void rewardHacking()
    {
        QFETCH(QString, completion);
        QFETCH(double, accuracy);
        const auto r = computeRewards(completion.toStdString(), 30, "42", "", RewardSettings{}, ResponseFormat{});
        QCOMPARE(r.parts.at("accuracy"), accuracy);
        if (accuracy == 0.0)
            QVERIFY(r.total <= RewardSettings{}.format);
    }

    void languageAndRepetition()
    {
        QCOMPARE(languageConsistency("all english words", Script::Latin), 1.0);
        QVERIFY(languageConsistency("english 和中文 mixed", Script::Latin) < 0.9);
        QCOMPARE(languageConsistency("全部中文", Script::Han), 1.0);
        QCOMPARE(repetitionRate("a b c d e f", 2), 0.0);
        QVERIFY(repetitionRate("wait wait wait wait wait wait", 2) > 0.7);
        const auto r = computeRewards("<think>let me check " + std::string(60, 'x') +
                                          " let me check let me check let me check let me check let "
                                          "me check let me check</think> <answer>1</answer>",
                                      10, "1", "", RewardSettings{.repetition = 1.0}, ResponseFormat{});
        QVERIFY(r.parts.at("repetition") < -0.5);
    }

    // No response can hang or crash a check (a GRPO run scores whatever the policy samples): each
    // adversarial one is wrong, quickly, on a thread with a 1 MiB stack; the budget is per check,
    // so an ordinary answer right after the costliest is still right. The bound is a hang guard
    // for a loaded 2-core machine, not a speed target.
    void adversarialAnswers()
    {
        QString failures, slowest;
        qint64 slowestNs = 0;
        QThread* checker = QThread::create([&] {
            for (const auto& a : adversarialResponses()) {
                QElapsedTimer timer;
                timer.start();
                const Verdict v = verify(a.response, a.truth, a.task);
                const qint64 ns = timer.nsecsElapsed();
                timer.restart();
                const bool same = equivalent(v.extracted, a.truth);
                const qint64 equivalentNs = timer.nsecsElapsed();
                if (ns > slowestNs) {
                    slowestNs = ns;
                    slowest = a.name;
                }
                if (v.correct || same || std::max(ns, equivalentNs) > 1000000000)
                    failures += QString("%1: correct %2, equivalent %3, %4 ms + %5 ms; ")
                                    .arg(a.name)
                                    .arg(v.correct)
                                    .arg(same)
                                    .arg(double(ns) / 1e6)
                                    .arg(double(equivalentNs) / 1e6);
                if (!verify("so \\boxed{\\frac{1}{2}}", "0.5").correct)
                    failures += QString("an ordinary answer after %1 was not right; ").arg(a.name);
            }
        });
        checker->setStackSize(1 << 20);
        checker->start();
        QVERIFY(checker->wait(600000));
        delete checker;
        qInfo("slowest adversarial check: %s, %.1f ms", qPrintable(slowest), double(slowestNs) / 1e6);
        QVERIFY2(failures.isEmpty(), qPrintable(failures));
        QVERIFY(verify("\\boxed{" + std::string(2000, '1') + "}", std::string(2000, '1')).overBudget);
    }

    void verifyCli()
    {
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"verify"});
        cli.write(R"({"response": "so \\boxed{\\frac{1}{2}}", "truth": "0.5"})"
                  "\n"
                  R"({"response": "<answer>(25-5)*3</answer>", "truth": "60|3,5,25", "task": "countdown"})"
                  "\n"
                  R"({"response": "it is 7", "truth": "8"})"
                  "\n");
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const auto lines = cli.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        const auto first = nlohmann::json::parse(lines[0].toStdString());
        QCOMPARE(first["correct"].get<bool>(), true);
        QCOMPARE(first["rule"].get<std::string>(), std::string("boxed"));
        QCOMPARE(nlohmann::json::parse(lines[1].toStdString())["correct"].get<bool>(), true);
        QCOMPARE(nlohmann::json::parse(lines[2].toStdString())["rule"].get<std::string>(), std::string("last_number"));

        // The answer that used to crash the CLI (SIGSEGV): wrong, and said to be over budget.
        QProcess huge;
        huge.start(THINKBENCH_CLI, {"verify"});
        huge.write(QByteArray("{\"response\": \"\\\\boxed{") + QByteArray(1000000, '1') + "}\", \"truth\": \"1\"}\n");
        huge.closeWriteChannel();
        QVERIFY(huge.waitForFinished(60000));
        QCOMPARE(huge.exitStatus(), QProcess::NormalExit);
        QCOMPARE(huge.exitCode(), 0);
        const auto verdict = nlohmann::json::parse(huge.readAllStandardOutput().toStdString());
        QCOMPARE(verdict["correct"].get<bool>(), false);
        QCOMPARE(verdict["over_budget"].get<bool>(), true);

        QProcess bad;
        bad.start(THINKBENCH_CLI, {"verify"});
        bad.write("{\"response\": \"1\", \"truth\": \"1\"}\n{\"response\": 5}\n");
        bad.closeWriteChannel();
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 1);
        QVERIFY(bad.readAllStandardError().contains("line 2"));
    }

    // Every disagreement with math-verify on the corpus must be one listed, with the reason ours is
    // right, in disagreements.tsv; a new one and a fixed one both fail.
    void agreesWithMathVerify()
    {
        const QByteArray corpus = readAll(kCorpus);
        const auto pairs = nonEmptyLines(corpus);
        const auto peer = runPythonPeer("math_verify_verdicts.py", {}, corpus);
        QCOMPARE(qsizetype(peer.size()), pairs.size());

        std::map<int, Verdicts> listed; // corpus line (1-based) -> verdicts
        for (const QByteArray& row : nonEmptyLines(readAll(kDisagreements)).mid(1)) { // after the header
            const auto cells = row.split('\t');
            QVERIFY2(cells.size() == 4, qPrintable("disagreements.tsv: not 4 columns: " + row));
            listed[cells[0].toInt()] = {cells[1] == "true", cells[2] == "true"};
        }

        std::map<int, Verdicts> found;
        QStringList timedOut;
        for (qsizetype i = 0; i < pairs.size(); ++i) {
            const auto pair = nlohmann::json::parse(pairs[i].toStdString());
            const nlohmann::json& theirs = peer[static_cast<size_t>(i)];
            if (theirs.contains("timeout"))
                timedOut << QString::number(i + 1);
            const Verdicts v{verify(pair["response"].get<std::string>(), pair["truth"].get<std::string>()).correct,
                             theirs["correct"].get<bool>()};
            if (v.ours != v.mathVerify)
                found[static_cast<int>(i + 1)] = v;
        }
        QVERIFY2(timedOut.isEmpty(), qPrintable("math-verify timed out on corpus lines " + timedOut.join(' ')));

        const double agreement = 100.0 * double(pairs.size() - found.size()) / double(pairs.size());
        qInfo("agreement with math-verify: %.2f%% (%zu of %lld pairs differ)", agreement, found.size(),
              static_cast<long long>(pairs.size()));
        QStringList unlisted, fixed;
        for (const auto& [line, v] : found)
            if (auto it = listed.find(line); it == listed.end() || it->second != v) {
                unlisted << QString::number(line);
                warnAbout(line, v, pairs[line - 1]);
            }
        for (const auto& [line, v] : listed)
            if (!found.contains(line))
                fixed << QString::number(line);
        QStringList problems;
        if (!unlisted.isEmpty())
            problems << "disagreements not in disagreements.tsv (warnings above): lines " + unlisted.join(' ');
        if (!fixed.isEmpty())
            problems << "listed in disagreements.tsv but agreeing now (remove them): lines " + fixed.join(' ');
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
        QVERIFY2(agreement >= 98.0, qPrintable(QString("agreement %1% is below 98%").arg(agreement)));
    }
};

QTEST_GUILESS_MAIN(TestVerifier)
#include "tst_verifier.moc"
