#pragma once
// The GRPO groups of one training step (core::stepGroups): the step's groups with their mean
// reward and spread, zero-std groups marked (every advantage 0: they teach nothing), and the open
// group's G responses as a sortable table (reward, reward parts, advantage, length, verdict) above
// the responses side by side in the table's order. Picking a response opens it in the trace
// stepper; two picked responses can be diffed step by step.

#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;
class QScrollArea;
class QTableWidget;

namespace thinkbench::core {
class RunStore;
struct SampleGroup;
} // namespace thinkbench::core

namespace thinkbench::widgets {

class GroupView : public QWidget {
    Q_OBJECT

public:
    // Columns of the responses table.
    enum Column { Index, Reward, Advantage, Length, Verdict, Answer, RewardParts, ColumnCount };

    explicit GroupView(QWidget* parent = nullptr);
    ~GroupView() override;

    // The store is not owned; it must outlive the widget or be reset with nullptr.
    void setStore(core::RunStore* store);

    // Lists the groups stored at this step and opens the first; false when there are none (the
    // view then says why).
    bool showStep(qint64 run, qint64 step);
    int groupCount() const;
    void openGroup(int group);
    int openGroupIndex() const { return open_; }
    bool isZeroStd(int group) const;

    // The open group's responses, in the table's current order.
    int responseCount() const;
    qint64 responseSampleId(int row) const;
    double responseValue(int row, Column column) const; // the value the column sorts by
    void sortResponses(Column column, Qt::SortOrder order);
    // Selects these rows of the responses table (two of them enable the diff).
    void selectResponses(const QList<int>& rows);

signals:
    // The current response changed: the trace stepper opens it, so annotations apply to it.
    void sampleChosen(qint64 sampleId);
    // A response was opened (double click, Open): the stepper shows its trace.
    void sampleOpened(qint64 sampleId);
    void diffRequested(qint64 left, qint64 right);

private:
    void fillResponses();
    void fillCards();
    QList<qint64> selectedSampleIds() const;

    core::RunStore* store_ = nullptr;
    std::vector<core::SampleGroup> groups_;
    int open_ = -1;

    QLabel* summary_;
    QTableWidget* groupTable_;
    QLabel* groupInfo_;
    QTableWidget* responses_;
    QPushButton* openButton_;
    QPushButton* diffButton_;
    QScrollArea* cardsArea_;
};

} // namespace thinkbench::widgets
