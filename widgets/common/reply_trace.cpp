#include "widgets/common/reply_trace.h"

#include "core/tasks/verifier.h"

namespace thinkbench::widgets {

Judgement judge(const QString& answer, const QString& truth)
{
    if (truth.isEmpty())
        return {QString::fromStdString(core::extractAnswer(answer.toStdString()).answer), std::nullopt};
    const core::Verdict verdict = core::verify(answer.toStdString(), truth.toStdString());
    return {QString::fromStdString(verdict.extracted), verdict.correct};
}

TraceSample replyTrace(const GenerationOutcome& outcome, const QString& title, const QString& truth)
{
    const Judgement judgement = judge(outcome.answer, truth);
    TraceSample sample;
    sample.title = title;
    sample.prompt = outcome.prompt;
    sample.completion = outcome.text;
    sample.promptOpensThinking = outcome.promptOpensThinking;
    sample.extracted = judgement.extracted;
    sample.correct = judgement.correct;
    sample.tokens = outcome.tokenTexts;
    sample.tokenLogprobs = outcome.tokenLogprobs;
    return sample;
}

} // namespace thinkbench::widgets
