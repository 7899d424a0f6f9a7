#pragma once
// A model's reply as the chat and compare panels show it: the reasoning in a collapsible section
// above the answer, both following the stream and then the finished reply.

#include "widgets/model_worker.h"

#include <QWidget>

namespace thinkbench::widgets {

class ReasoningSection;
class StreamText;

class ReplyView : public QWidget {
    Q_OBJECT

public:
    explicit ReplyView(QWidget* parent = nullptr);
    void showChunk(const StreamChunk& chunk);
    void showOutcome(const GenerationOutcome& outcome);
    void clear();
    QString reasoning() const;
    QString answer() const;

private:
    ReasoningSection* reasoning_;
    StreamText* answer_;
};

} // namespace thinkbench::widgets
