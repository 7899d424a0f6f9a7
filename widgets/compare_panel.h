#pragma once
// Models compared: 2-4 model folders (Hugging Face or a run's checkpoints) or served models in a line-up
// (compare/model_line_up), one sampling bar, and two tabs: side by side (compare/side_by_side,
// with the blind A/B vote of compare/blind_vote) and batch (compare/batch_evaluation). This
// assembles them, shows their errors and keeps one public face for the main window and tests.

#include "widgets/compare/blind_vote.h"
#include "widgets/model_worker.h"
#include "widgets/trace_stepper.h"

#include <QWidget>

class QScrollArea;
class QTabWidget;
class QTableWidget;

namespace thinkbench::widgets {

class BatchEvaluation;
class MessageBar;
class ModelLineUp;
class SamplingBar;
class SideBySide;

class ComparePanel : public QWidget {
    Q_OBJECT

public:
    using Vote = BlindVote::Choice;
    static constexpr int kMinModels = 2;
    static constexpr int kMaxModels = 4;

    explicit ComparePanel(QWidget* parent = nullptr);

    // Votes are written here. Not owned; it must outlive the panel or be reset with nullptr.
    void setStore(core::RunStore* store);

    int modelCount() const;
    void setModelCount(int count); // clamped to [kMinModels, kMaxModels]; not while busy
    // Loads in the background; modelLoaded or modelFailed follows. folder: a model folder or an
    // endpoint URL#MODEL; apiKey: the endpoint's key (empty: $OPENAI_API_KEY).
    void loadModel(int column, const QString& folder, const QString& apiKey = {});
    bool isLoaded(int column) const;
    SamplingSettings settings() const;
    void setSettings(const SamplingSettings& settings);
    void setPrompt(const QString& prompt);
    void setGroundTruth(const QString& truth);
    // Blind mode: the next run answers as anonymous A and B.
    void setBlind(bool blind);
    bool isBlind() const;
    bool busy() const;

    // Side by side (and blind): what a column shows.
    QString columnTitle(int column) const;
    QString columnReasoning(int column) const;
    QString columnAnswer(int column) const;
    QString columnStats(int column) const;
    QScrollArea* columnView(int column) const;
    // The column as a trace; empty until its reply finished.
    TraceSample columnTrace(int column) const;
    QString errorText() const;
    // After a blind vote: which model was A and which B.
    QString revealText() const;

    // Batch.
    void setBatchTask(const QString& spec);
    void setBatchDataset(const QString& path);
    void setBatchProblems(int count);
    void setBatchSamples(int k);
    QTableWidget* batchTable() const;
    // The trace of sample 0 of `problem` in the batch result of the table's row `row`.
    TraceSample batchTrace(int row, int problem) const;

public slots:
    // Every loaded model (two of them, blind) answers the prompt; false when nothing started.
    bool run();
    // Evaluates every loaded model; false when nothing started (the reason in the message bar).
    bool runBatch();
    void stop();
    // Records the vote on a finished blind comparison and reveals the models; false when there is
    // no such comparison waiting.
    bool vote(thinkbench::widgets::ComparePanel::Vote choice);

signals:
    void modelLoaded(int column, const QString& folder);
    void modelFailed(int column, const QString& message);
    void columnStreamed(int column);
    void columnFinished(int column);
    void comparisonFinished();
    void batchProgress(int done, int total);
    void batchFinished();
    // The vote as stored ("a", "b", "tie", "both_bad"); id -1 when no store is set.
    void voteRecorded(const QString& vote, qint64 id);
    void openTraceRequested(const thinkbench::widgets::TraceSample& sample);

private:
    void updateControls();

    // Created in this order, the sampling bar first in the focus chain as it always was.
    SamplingBar* sampling_;
    MessageBar* messageBar_;
    ModelLineUp* models_;
    QTabWidget* tabs_;
    SideBySide* sideBySide_;
    BatchEvaluation* batch_;
};

} // namespace thinkbench::widgets
