#pragma once
// Read-only text that grows with its content instead of scrolling, wrapping anywhere (a
// random-weight model's "words" can be wider than the view), for text streamed into a list.

#include <QTextEdit>

namespace thinkbench::widgets {

class StreamText : public QTextEdit {
    Q_OBJECT

public:
    explicit StreamText(QWidget* parent = nullptr);
    // Appends when `text` extends what is shown (the common case while streaming), else replaces.
    void setStreamText(const QString& text);
    QString streamText() const { return text_; }

private:
    QString text_;
};

} // namespace thinkbench::widgets
