#pragma once
// Reasoning under a toggle that folds it away: the collapsible section of a reply, dimmed and
// behind a rule so it reads apart from the answer.

#include <QWidget>

class QToolButton;

namespace thinkbench::widgets {

class StreamText;

class ReasoningSection : public QWidget {
    Q_OBJECT

public:
    explicit ReasoningSection(QWidget* parent = nullptr);
    // Hidden while `text` is empty.
    void setReasoning(const QString& text, int tokens);
    QString reasoning() const;
    bool isCollapsed() const;
    void setCollapsed(bool collapsed);

private:
    void updateToggle();

    QToolButton* toggle_;
    QWidget* body_;
    StreamText* text_;
    int tokens_ = 0;
    bool collapsed_ = false;
};

} // namespace thinkbench::widgets
