#include "widgets/common/reply_view.h"

#include "widgets/common/reasoning_section.h"
#include "widgets/common/stream_text.h"

#include <QVBoxLayout>

namespace thinkbench::widgets {

ReplyView::ReplyView(QWidget* parent)
    : QWidget(parent)
    , reasoning_(new ReasoningSection(this))
    , answer_(new StreamText(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(reasoning_);
    layout->addWidget(answer_);
}

void ReplyView::showChunk(const StreamChunk& chunk)
{
    reasoning_->setReasoning(chunk.reasoning, chunk.reasoningTokens);
    answer_->setStreamText(chunk.answer);
}

void ReplyView::showOutcome(const GenerationOutcome& outcome)
{
    reasoning_->setReasoning(outcome.reasoning, outcome.reasoningTokens);
    answer_->setStreamText(outcome.answer);
}

void ReplyView::clear()
{
    reasoning_->setReasoning({}, 0);
    answer_->setStreamText({});
}

QString ReplyView::reasoning() const
{
    return reasoning_->reasoning();
}

QString ReplyView::answer() const
{
    return answer_->streamText();
}

} // namespace thinkbench::widgets
