#pragma once
// The Runs dock: every run of the open run database with its status, stages, last step and start
// time. It follows a run being written by another process (the training CLI) by watching the
// database's WAL file and re-reading on a short timer.

#include <QWidget>

#include <memory>

class QLabel;
class QTreeWidget;
class QFileSystemWatcher;
class QTimer;

namespace thinkbench::core {
class RunStore;
}

namespace thinkbench::widgets {

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

public slots:
    void refresh();

signals:
    void runSelected(qint64 runId);
    void databaseError(const QString& message);

private:
    void showError(const QString& message);

    QString path_;
    std::unique_ptr<core::RunStore> store_;
    QLabel* message_;
    QTreeWidget* tree_;
    QFileSystemWatcher* watcher_;
    QTimer* refreshTimer_;
};

} // namespace thinkbench::widgets
