#pragma once
// Two responses of a GRPO group diffed step by step: each cut into the engine's reasoning steps
// (core/text/reasoning_steps, the steps annotations point at), the steps aligned
// (core::alignSteps), the answers compared last; differing rows are highlighted, and within a
// changed step the words that differ.

#include <QWidget>

#include <vector>

class QLabel;
class QTextBrowser;

namespace thinkbench::widgets {

struct DiffSide {
    QString title;
    QString prompt; // tells whether the template opened <think> itself
    QString completion;
};

class ResponseDiff : public QWidget {
    Q_OBJECT

public:
    explicit ResponseDiff(QWidget* parent = nullptr);

    void compare(const DiffSide& left, const DiffSide& right);

    // Rows of the diff: the aligned reasoning steps, then the answer.
    int rowCount() const { return int(rows_.size()); }
    bool rowDiffers(int row) const;
    QString rowText(int row, int side) const; // side 0: left, 1: right; empty where that side has no step
    int differingRows() const;

private:
    struct Row {
        QString label; // the two step numbers, or "Answer"
        QString text[2];
        bool differs = false;
    };
    std::vector<Row> rows_;
    QLabel* summary_;
    QTextBrowser* view_;
};

} // namespace thinkbench::widgets
