// The reasoning-text conventions every layer shares: where a thought ends, which words count as
// reflection, and how a thought is cut into the steps annotations point at.

#include "core/text/reasoning_steps.h"
#include "core/text/reflection_markers.h"
#include "core/text/step_alignment.h"
#include "core/text/think_tags.h"
#include "core/text/trim.h"

#include <QtTest>

using namespace thinkbench;

class TstText : public QObject {
    Q_OBJECT

private slots:
    void splitsReasoningFromAnswer()
    {
        using core::splitReasoning;
        auto s = splitReasoning("x = 2, so 4.\n</think>\n\n**4**", true);
        QCOMPARE(s.reasoning, std::string("x = 2, so 4."));
        QCOMPARE(s.answer, std::string("**4**"));
        QVERIFY(s.closed);
        QCOMPARE(s.reasoningEnd, size_t(13));
        s = splitReasoning("  <think>hmm</think> <answer>5</answer>", false);
        QCOMPARE(s.reasoning, std::string("hmm"));
        QCOMPARE(s.answer, std::string("<answer>5</answer>"));
        QCOMPARE(s.reasoningEnd, size_t(12));
        s = splitReasoning("still thinking", true);
        QCOMPARE(s.reasoning, std::string("still thinking"));
        QVERIFY(s.answer.empty() && !s.closed);
        QCOMPARE(s.reasoningEnd, size_t(14));
        s = splitReasoning("just an answer\r\n", false);
        QCOMPARE(s.answer, std::string("just an answer"));
        QVERIFY(s.reasoning.empty());
        QCOMPARE(s.reasoningEnd, std::string::npos);
        // Only the first </think> ends the thought.
        s = splitReasoning("a</think>b</think>c", true);
        QCOMPARE(s.reasoning, std::string("a"));
        QCOMPARE(s.answer, std::string("b</think>c"));
    }

    void recognisesPromptsThatOpenTheThought()
    {
        QVERIFY(core::promptOpensThinking("<｜User｜>1+1?<｜Assistant｜><think>\n"));
        QVERIFY(!core::promptOpensThinking("User: 1+1? Assistant:"));
        QCOMPARE(core::countOccurrences("<think>a</think><think>", core::kThinkOpen), size_t(2));
    }

    void stripsReasoningForLaterTurns()
    {
        QCOMPARE(core::stripReasoning("<think>long</think>\n\nThe answer is 4."), std::string("The answer is 4."));
        QCOMPARE(core::stripReasoning("no thought"), std::string("no thought"));
        QCOMPARE(core::trimmed(" \t x y \r\n"), std::string("x y"));
        QCOMPARE(core::trimmed(" \n "), std::string());
    }

    void findsReflectionMarkersAsWholeWords()
    {
        const std::string text = "So 12. Wait, let me verify: 7+5=12. Verified. Awaits nothing; waiting too.";
        const auto spans = core::findReflections(text);
        QCOMPARE(spans.size(), size_t(3));
        QCOMPARE(text.substr(spans[0].begin, spans[0].end - spans[0].begin), std::string("Wait"));
        // The longest marker wins: "let me verify", not "verify".
        QCOMPARE(text.substr(spans[1].begin, spans[1].end - spans[1].begin), std::string("let me verify"));
        QCOMPARE(text.substr(spans[2].begin, spans[2].end - spans[2].begin), std::string("Verified"));
        QVERIFY(core::reflects("Hmm, let me re-examine that."));
        QVERIFY(!core::reflects("The waiter verifies nothing."));
    }

    void splitsParagraphsThenSentences()
    {
        const auto paragraphs = core::splitReasoningSteps("A one.\n\nB two. B three.\n \nC.");
        QCOMPARE(paragraphs.size(), size_t(3));
        QCOMPARE(paragraphs[1].text, std::string("B two. B three."));
        QCOMPARE(paragraphs[2].text, std::string("C."));
        const auto sentences = core::splitReasoningSteps("One. Two! Three? Four");
        QCOMPARE(sentences.size(), size_t(4));
        QCOMPARE(sentences[2].text, std::string("Three?"));
        QCOMPARE(sentences[3].begin, size_t(17));
        QCOMPARE(sentences[3].end, size_t(21));
        // Lines of one paragraph are steps too; decimals are not sentence ends.
        const auto lines = core::splitReasoningSteps("x = 3.5\ny = 2 * x\nso y = 7");
        QCOMPARE(lines.size(), size_t(3));
        QCOMPARE(lines[0].text, std::string("x = 3.5"));
        QVERIFY(core::splitReasoningSteps(" \n\n ").empty());
    }

    // Shared steps aligned; between two of them the changed steps paired in order, the longer
    // run's rest on its own.
    void alignsStepsOfTwoTraces()
    {
        const auto left = core::splitReasoningSteps("A.\n\nB.\n\nC.\n\nD.\n\nE.");
        const auto right = core::splitReasoningSteps("A.\n\nX.\n\nD.\n\nE.\n\nF.");
        const auto rows = core::alignSteps(left, right);
        std::vector<std::string> shown;
        for (const auto& r : rows)
            shown.push_back((r.left ? left[*r.left].text : "-") + (r.same ? "=" : "/") +
                            (r.right ? right[*r.right].text : "-"));
        QCOMPARE(shown, (std::vector<std::string>{"A.=A.", "B./X.", "C./-", "D.=D.", "E.=E.", "-/F."}));
        QVERIFY(core::alignSteps({}, {}).empty());
        QCOMPARE(core::alignSteps({}, right).size(), right.size());
    }
};

QTEST_GUILESS_MAIN(TstText)
#include "tst_text.moc"
