#pragma once
// Run control: starts `thinkbench-cli train RECIPE --db DB --json` (or `train --resume RUN`) as a
// child process, on N local processes with `--nproc N` (the CLI's launcher starts the ranks and
// passes SIGTERM on to them; rank 0 alone prints progress), turns its JSON-lines progress (training/pipeline.h) into a
// progress bar, a status line and signals, stops it with SIGTERM (the CLI checkpoints, then exits) and survives the
// child crashing: the exit code and the tail of its stderr are shown and the buttons reset. Everything is asynchronous;
// the GUI thread never waits on the child.

#include <QJsonObject>
#include <QProcess>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace thinkbench::widgets {

class RunControl : public QWidget {
    Q_OBJECT

public:
    explicit RunControl(QWidget* parent = nullptr);
    // A child still running is asked to stop (it checkpoints) and killed if it will not.
    ~RunControl() override;

    void setCliPath(const QString& path);
    QString cliPath() const { return cli_; }
    void setDatabasePath(const QString& path);
    QString databasePath() const { return db_; }
    void setRecipePath(const QString& path);
    QString recipePath() const { return recipe_; }
    // The run Resume continues; set by runStarted, or by the main window from the runs dock.
    void setResumeRun(qint64 run);
    qint64 resumeRun() const { return resumeRun_; }
    // Processes (ranks) Start and Resume train on, 1 .. the cores; remembered in QSettings.
    void setProcesses(int processes);
    int processes() const;

    bool isRunning() const;
    qint64 currentRun() const { return run_; }
    // finished | stopped | failed | crashed, or empty before the first run ends.
    QString lastStatus() const { return status_; }
    QString statusText() const;
    // The last lines the child wrote to stderr.
    QString stderrTail() const { return stderr_; }

public slots:
    // False (and the reason shown) when a run is already going or a path is missing.
    bool start();
    bool resume();
    // First call: SIGTERM (checkpoint and stop); a second call kills the child.
    void stop();

signals:
    void runStarted(qint64 run);
    void stageStarted(qint64 run, int stageIndex, const QString& stage, const QString& kind, qint64 totalSteps);
    // One training step: run-wide step, 1-based step in the stage, the stage's step count.
    void progress(qint64 run, qint64 step, qint64 stageStep, qint64 stageTotal, const QJsonObject& metrics);
    void evaluated(qint64 run, const QString& stage, qint64 step, double pass1);
    void checkpointSaved(qint64 run, qint64 step, const QString& path);
    // Every progress object as it arrived, for listeners that want fields not broken out above.
    void progressEvent(const QJsonObject& event);
    void finished(const QString& status);

private:
    bool launch(const QStringList& arguments);
    void readOutput();
    void handle(const QJsonObject& event);
    void onFinished(int exitCode, QProcess::ExitStatus exitStatus);
    void onError(QProcess::ProcessError error);
    // Kill: the ranks of a launcher too, so none goes on to write a checkpoint.
    void killAll();
    void setStatus(const QString& text, bool error = false);
    void updateButtons();

    QString cli_;
    QString db_;
    QString recipe_;
    qint64 resumeRun_ = 0;
    qint64 run_ = 0;
    int stageCount_ = 0; // 0 when unknown (a resumed run)
    int stageIndex_ = 0;
    QString stageName_;
    QString stageKind_;
    QString status_;
    QString doneStatus_; // from the "done" event
    QByteArray pending_; // stdout after the last newline
    QString stderr_;
    bool stopping_ = false;

    QProcess* process_;
    QSpinBox* processes_;
    QPushButton* startButton_;
    QPushButton* stopButton_;
    QPushButton* resumeButton_;
    QProgressBar* bar_;
    QLabel* statusLabel_;
};

} // namespace thinkbench::widgets
