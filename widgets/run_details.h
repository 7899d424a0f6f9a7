#pragma once
// The selected run's details under the Runs list, for runs started anywhere (the GUI, the CLI,
// another machine writing the same file): its stage, progress and time left as the engine reads
// them from the store (core::runProgress), the processes a distributed stage runs on with each
// rank's latest throughput, its recipe as stored (read-only), and Stop. Stop on the
// GUI's own training child goes to that child (SIGTERM, through stopOwnRun); any other running run
// is asked to stop through the store, which its trainer reads between steps.

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace thinkbench::core {
class RunStore;
struct RunInfo;
} // namespace thinkbench::core

namespace thinkbench::widgets {

class RunDetails : public QWidget {
    Q_OBJECT

public:
    explicit RunDetails(QWidget* parent = nullptr);

    // Shows `run` as `store` has it now; showing the same run again keeps the recipe's scroll
    // position. A read error is shown in place of the progress.
    void showRun(const core::RunStore& store, const core::RunInfo& run);
    void clear();
    qint64 run() const { return run_; }
    // The run the GUI's training child writes (0: none).
    void setOwnRun(qint64 run);

public slots:
    void stop();

signals:
    void stopOwnRun(qint64 run);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitHint();

    qint64 run_ = 0;
    qint64 ownRun_ = 0;
    bool ownStopAsked_ = false; // Stop was pressed for the own run: its child is checkpointing
    QString databasePath_;
    QLabel* title_;
    QWidget* body_; // everything but the title, hidden while no run is selected
    QLabel* stage_;
    QLabel* ranks_; // a stage of several processes: how many, their backend, each one's pace
    QProgressBar* bar_;
    QLabel* progress_;
    QLabel* eta_;
    QPushButton* stopButton_;
    QPlainTextEdit* recipe_;
};

} // namespace thinkbench::widgets
