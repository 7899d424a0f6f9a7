#pragma once
// One column of the emergence view's traces: a sample from early or late in a GRPO stage, its
// question, verdict and length, and its completion with the reflection markers highlighted; the
// buttons step through the other samples picked for the column.

#include "core/store/run_store.h"

#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace thinkbench::widgets {

class StoryTrace : public QWidget {
    Q_OBJECT

public:
    StoryTrace(const QString& heading, QWidget* parent = nullptr);

    // Shows the first sample; `emptyText` says why there is none.
    void setSamples(std::vector<core::SampleRecord> samples, const QString& emptyText);
    void showSample(int index);
    int index() const { return index_; }
    int count() const { return int(samples_.size()); }
    const core::SampleRecord* current() const;
    // How many reflection markers the shown completion holds.
    int markerCount() const { return markers_; }
    QString html() const;
    // Without the stepping buttons and the scroll bar, which a slide has no use for.
    void setInteractive(bool interactive);

signals:
    void sampleShown(qint64 step);

private:
    QString heading_;
    std::vector<core::SampleRecord> samples_;
    int index_ = -1;
    int markers_ = 0;
    QLabel* title_;
    QLabel* verdict_;
    QTextBrowser* text_;
    QWidget* stepping_;
    QPushButton* previous_;
    QPushButton* next_;
    QLabel* position_;
};

} // namespace thinkbench::widgets
