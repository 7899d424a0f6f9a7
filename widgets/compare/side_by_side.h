#pragma once
// Side by side: one prompt streams into a column per model at once, each showing tok/s, reasoning
// length, the extracted answer and, given a ground truth, the verifier's verdict; the columns
// scroll together. Blind, two of the models answer as anonymous A and B and BlindVote takes the
// vote before the names show.

#include "widgets/model_worker.h"
#include "widgets/trace_stepper.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSplitter;

namespace thinkbench::widgets {

class BlindVote;
class ModelLineUp;
class ReplyColumn;
class SamplingBar;

class SideBySide : public QWidget {
    Q_OBJECT

public:
    // `models` and `sampling` are shared with the rest of the compare panel and must outlive this.
    SideBySide(ModelLineUp* models, SamplingBar* sampling, QWidget* parent = nullptr);

    BlindVote* blindVote() const { return vote_; }
    void setPrompt(const QString& prompt);
    void setGroundTruth(const QString& truth);
    // The next run answers as anonymous A and B.
    void setBlind(bool blind);
    bool isBlind() const;
    ReplyColumn* column(int column) const;
    // The column as a trace; empty until its reply finished and, blind, until the vote.
    TraceSample columnTrace(int column) const;

    // Every loaded model (two of them, blind) answers the prompt; false when nothing started
    // (the reason in errorOccurred).
    bool run();
    void updateControls();

signals:
    void started();
    void errorOccurred(const QString& message);
    void columnStreamed(int column);
    void columnFinished(int column);
    void comparisonFinished();
    void openTraceRequested(const thinkbench::widgets::TraceSample& sample);

private:
    // A model's reply in the current comparison.
    struct Reply {
        bool running = false;
        bool finished = false;
        GenerationOutcome outcome;
    };

    void connectWorker(int model);
    // The line-up changed: the columns follow it and a comparison waiting for its vote is dropped.
    void followLineUp();
    int columnOf(int model) const;
    void resetColumns();
    void updateColumnTitle(int column);
    void finishColumn(int column);
    void showOutcome(int column);
    void syncScroll(int from);

    ModelLineUp* models_;
    SamplingBar* sampling_;
    std::vector<Reply> replies_; // per model
    std::vector<ReplyColumn*> columns_;
    std::vector<int> shown_; // per column: the model it shows, -1 for none
    bool blindRun_ = false;  // the columns show anonymous A and B
    QString runPrompt_;
    QString runTruth_;
    bool syncing_ = false;

    QPlainTextEdit* prompt_;
    QLineEdit* truth_;
    QCheckBox* blind_;
    QPushButton* runButton_;
    QPushButton* stopButton_;
    QSplitter* splitter_;
    BlindVote* vote_;
};

} // namespace thinkbench::widgets
