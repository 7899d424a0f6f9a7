#pragma once
// One model's column side by side: its title, a stats line, the reply in a scroll view of its own
// and a button that opens the finished reply in the trace stepper.

#include <QFrame>

class QLabel;
class QPushButton;
class QScrollArea;

namespace thinkbench::widgets {

class ReplyView;

class ReplyColumn : public QFrame {
    Q_OBJECT

public:
    explicit ReplyColumn(QWidget* parent = nullptr);
    void setTitle(const QString& title);
    QString title() const;
    void setStats(const QString& stats);
    QString stats() const;
    ReplyView* reply() const { return reply_; }
    QScrollArea* view() const { return view_; }
    void setTraceEnabled(bool enabled);

signals:
    void traceRequested();

private:
    QLabel* title_;
    QLabel* stats_;
    QScrollArea* view_;
    ReplyView* reply_;
    QPushButton* traceButton_;
};

} // namespace thinkbench::widgets
