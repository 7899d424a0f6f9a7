// Answer extraction, exact equivalence and rewards, including attempts to game the rewards.

#include "core/tasks/exact.h"
#include "core/tasks/rewards/rewards.h"
#include "core/tasks/verifier.h"

#include <nlohmann/json.hpp>

#include <QtTest>

using namespace thinkbench::core;

class TestVerifier : public QObject {
    Q_OBJECT

private slots:
    void extraction_data()
    {
        QTest::addColumn<QString>("response");
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("rule");
        QTest::newRow("boxed") << "so \\boxed{42}." << "42" << "boxed";
        QTest::newRow("nested braces") << "\\boxed{\\frac{1}{2}}" << "\\frac{1}{2}" << "boxed";
        QTest::newRow("last box wins") << "\\boxed{3} no wait \\boxed{4}" << "4" << "boxed";
        QTest::newRow("boxed without braces") << "answer: $\\boxed 7$" << "7" << "boxed";
        QTest::newRow("answer tag") << "<think>x</think> <answer> 12 </answer>" << "12" << "answer_tag";
        QTest::newRow("phrase") << "Therefore, the final answer is 3/4." << "3/4" << "final_answer_phrase";
        QTest::newRow("the answer is") << "So the answer is: -5" << "-5" << "final_answer_phrase";
        QTest::newRow("last number") << "we get 12 then 15 apples" << "15" << "last_number";
        QTest::newRow("nothing") << "no idea" << "" << "none";
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
        QTest::newRow("integer") << "42" << "42" << true;
        QTest::newRow("integer wrong") << "41" << "42" << false;
        QTest::newRow("decimal") << "0.50" << "1/2" << true;
        QTest::newRow("decimal near miss") << "0.3333333" << "1/3" << false;
        QTest::newRow("thousands") << "1,234,567" << "1234567" << true;
        QTest::newRow("thousands wrong") << "1,234,568" << "1234567" << false;
        QTest::newRow("sign") << "-7" << "−7" << true;
        QTest::newRow("sign wrong") << "7" << "-7" << false;
        QTest::newRow("percent") << "12.5%" << "1/8" << true;
        QTest::newRow("latex percent") << "50\\%" << "0.5" << true;
        QTest::newRow("frac") << "\\frac{3}{4}" << "0.75" << true;
        QTest::newRow("dfrac") << "\\dfrac{6}{8}" << "3/4" << true;
        QTest::newRow("tfrac short") << "\\tfrac12" << "0.5" << true;
        QTest::newRow("frac wrong") << "\\frac{4}{3}" << "3/4" << false;
        QTest::newRow("mixed latex") << "2\\frac{1}{3}" << "7/3" << true;
        QTest::newRow("mixed text") << "3 1/2" << "3.5" << true;
        QTest::newRow("mixed is not product") << "2\\frac{1}{3}" << "2/3" << false;
        QTest::newRow("sqrt") << "2\\sqrt{8}" << "4\\sqrt{2}" << true;
        QTest::newRow("sqrt rational") << "\\sqrt{16}" << "4" << true;
        QTest::newRow("sqrt wrong") << "\\sqrt{3}" << "\\sqrt{2}" << false;
        QTest::newRow("pi") << "\\frac{\\pi}{2}" << "0.5\\pi" << true;
        QTest::newRow("pi is not 3.14") << "3.14" << "\\pi" << false;
        QTest::newRow("expression") << "(3+4)\\times 2" << "14" << true;
        QTest::newRow("power") << "2^{10}" << "1024" << true;
        QTest::newRow("text wrapper") << "\\text{5 apples}" << "5" << true;
        QTest::newRow("unit") << "12 cm" << "12" << true;
        QTest::newRow("degrees") << "90^\\circ" << "90" << true;
        QTest::newRow("interval") << "(1, 2]" << "(1,2]" << true;
        QTest::newRow("interval ends") << "[1, 2]" << "(1,2]" << false;
        QTest::newRow("set unordered") << "\\{3, 1, 2\\}" << "{1,2,3}" << true;
        QTest::newRow("list unordered") << "2, 1" << "1, 2" << true;
        QTest::newRow("set missing") << "{1, 2}" << "{1,2,3}" << false;
        QTest::newRow("tuple ordered") << "(1, 2)" << "(1, 2)" << true;
        QTest::newRow("tuple order") << "(2, 1)" << "(1, 2)" << false;
        QTest::newRow("text case") << "  Knight " << "knight" << true;
        QTest::newRow("text differs") << "knave" << "knight" << false;
        QTest::newRow("choice") << "(B)" << "B" << true;
        QTest::newRow("choice phrase") << "answer: b" << "B" << true;
        QTest::newRow("choice wrong") << "C" << "B" << false;
        QTest::newRow("two candidates") << "3 or 4" << "3" << false;
        QTest::newRow("empty") << "" << "3" << false;
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
        QVERIFY(!evaluateExact("99999999999999999999999999999999999999999 * 999999999")); // overflow
    }

    void countdown()
    {
        QVERIFY(verify("<answer>(25 - 5) * 3</answer>", "60|3,5,25", "countdown").correct);
        QVERIFY(verify("<answer>3*25-5*3</answer>", "60|3,5,25", "countdown").correct == false); // 3 twice
        QVERIFY(!verify("<answer>60</answer>", "60|3,5,25", "countdown").correct); // no numbers used
        QVERIFY(!verify("<answer>25+5+3</answer>", "60|3,5,25", "countdown").correct); // wrong value
        // A policy's runaway digits are a wrong answer, not an error.
        QVERIFY(!verify("<answer>25 * 3 - 99999999999999999999999</answer>", "60|3,5,25", "countdown").correct);
        QVERIFY(verify("<answer>25 + 5 * 3 = 40</answer>", "40|3,5,25", "countdown").correct);
    }

    void rewards()
    {
        RewardConfig c;
        c.maxTokens = 100;
        c.overlongBuffer = 20;
        auto r = computeRewards("<think>7*6 = 42</think> <answer>42</answer>", 20, "42", "", c);
        QCOMPARE(r.parts["accuracy"], 1.0);
        QCOMPARE(r.parts["format"], 1.0);
        QVERIFY(r.wellFormed);
        QCOMPARE(r.total, 1.2);
        QCOMPARE(r.parts["length"], 0.0);
        r = computeRewards("<think>7*6 = 42</think> <answer>42</answer>", 90, "42", "", c);
        QCOMPARE(r.parts["length"], -0.5);
        QCOMPARE(computeRewards("<think>a</think><answer>1</answer>", 100, "1", "", c).parts["length"], -1.0);
        // The distill template: the answer follows </think>, the prompt opened the thought.
        RewardConfig distill = c;
        distill.placement = AnswerPlacement::AfterThink;
        distill.promptOpensThinking = true;
        r = computeRewards("x=2 so 4\n</think>\n\n\\boxed{4}", 10, "4", "", distill);
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
        QTest::newRow("nested tags")
            << "<think>a<think>b</think></think> <answer>42</answer>" << 0.0;
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
        const auto r = computeRewards(completion.toStdString(), 30, "42", "", RewardConfig{});
        QCOMPARE(r.parts.at("accuracy"), accuracy);
        if (accuracy == 0.0)
            QVERIFY(r.total <= RewardConfig{}.format);
    }

    void languageAndRepetition()
    {
        QCOMPARE(languageConsistency("all english words", "latin"), 1.0);
        QVERIFY(languageConsistency("english 和中文 mixed", "latin") < 0.9);
        QCOMPARE(languageConsistency("全部中文", "han"), 1.0);
        QCOMPARE(repetitionRate("a b c d e f", 2), 0.0);
        QVERIFY(repetitionRate("wait wait wait wait wait wait", 2) > 0.7);
        const auto r = computeRewards("<think>let me check " + std::string(60, 'x') +
                                          " let me check let me check let me check let me check let "
                                          "me check let me check</think> <answer>1</answer>",
                                      10, "1", "", RewardConfig{.repetition = 1.0});
        QVERIFY(r.parts.at("repetition") < -0.5);
    }

    void verifyCli()
    {
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"verify"});
        cli.write(R"({"response": "so \\boxed{\\frac{1}{2}}", "truth": "0.5"})" "\n"
                  R"({"response": "<answer>(25-5)*3</answer>", "truth": "60|3,5,25", "task": "countdown"})" "\n"
                  R"({"response": "it is 7", "truth": "8"})" "\n");
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

        QProcess bad;
        bad.start(THINKBENCH_CLI, {"verify"});
        bad.write("{\"response\": \"1\", \"truth\": \"1\"}\n{\"response\": 5}\n");
        bad.closeWriteChannel();
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 1);
        QVERIFY(bad.readAllStandardError().contains("line 2"));
    }
};

QTEST_GUILESS_MAIN(TestVerifier)
#include "tst_verifier.moc"
