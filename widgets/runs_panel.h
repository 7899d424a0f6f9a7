#pragma once
// The Runs dock: every run of the open run database with its status, stages, processes (ranks),
// last step and start time, and the selected run's details (RunDetails: stage, progress, time
// left, recipe, Stop). It follows a run being written by another process (the training CLI) by
// watching the database's WAL file and re-reading on a short timer.

#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QSplitter;
class QTreeWidget;
class QFileSystemWatcher;
class QTimer;

namespace thinkbench::core {
class RunStore;
struct RunInfo;
} // namespace thinkbench::core

namespace thinkbench::widgets {

class RunDetails;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(QWidget* parent = nullptr);
    ~RunsPanel() override;

    // Opens a run database read-only; returns false and shows why when it cannot.
    bool openDatabase(const QString& path);
    QString databasePath() const { return path_; }
    QString errorText() const;
    int runCount() const;
    qint64 currentRun() const;
    // The run the GUI's own training child writes (0: none): Stop on it emits stopOwnRun, Stop
    // on any other running run writes a stop request into the database.
    void setOwnRun(qint64 run);

public slots:
    void refresh();

signals:
    void runSelected(qint64 runId);
    void databaseError(const QString& message);
    void stopOwnRun(qint64 runId);

private:
    void showError(const QString& message);
    void showDetails();

    QString path_;
    std::unique_ptr<core::RunStore> store_;
    QLabel* message_;
    std::vector<core::RunInfo> runs_; // as the last refresh read them
    bool rebuilding_ = false;
    QTreeWidget* tree_;
    RunDetails* details_;
    QSplitter* split_;
    QFileSystemWatcher* watcher_;
    QTimer* refreshTimer_;
};

} // namespace thinkbench::widgets
