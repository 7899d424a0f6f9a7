#pragma once
// Models side by side: 2-4 model folders (Hugging Face or a run's checkpoints), each on its own
// ModelWorker. Side by side, one prompt streams into every column at once, each showing tok/s,
// reasoning length, the extracted answer and, given a ground truth, the verifier's verdict;
// the columns scroll together. Blind, two of the models answer as anonymous A and B (assigned at
// random), the reader votes, the names are revealed and the vote goes to the run store. Batch,
// every model is evaluated on the same problems (a task family's held-out split or a JSONL
// dataset): pass@1, cons@k and mean length per model, each problem's cell opening its trace.

#include "widgets/model_worker.h"
#include "widgets/trace_stepper.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QScrollArea;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTableWidget;

namespace thinkbench::core {
class RunStore;
}

namespace thinkbench::widgets {

class ReasoningSection;
class StreamText;
class SamplingBar;

class ComparePanel : public QWidget {
    Q_OBJECT

public:
    enum class Vote { A, B, Tie, BothBad };
    static constexpr int kMinModels = 2;
    static constexpr int kMaxModels = 4;

    explicit ComparePanel(QWidget* parent = nullptr);

    // Votes are written here. Not owned; it must outlive the panel or be reset with nullptr.
    void setStore(core::RunStore* store);

    int modelCount() const { return modelCount_; }
    void setModelCount(int count); // clamped to [kMinModels, kMaxModels]; not while busy
    // Loads in the background; modelLoaded or modelFailed follows.
    void loadModel(int column, const QString& folder);
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
    QTableWidget* batchTable() const { return table_; }
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
    bool vote(thinkbench::widgets::ComparePanel::Vote vote);

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
    // A model: its worker and its row in the model list.
    struct Model {
        ModelWorker* worker = nullptr;
        QLabel* number = nullptr;
        QLineEdit* path = nullptr;
        QPushButton* browse = nullptr;
        QPushButton* load = nullptr;
        QLabel* status = nullptr;
        bool running = false;
        GenerationOutcome outcome;
        bool finished = false;
        bool inBatch = false;
        int batchDone = 0;
        std::optional<EvaluationOutcome> evaluation;
    };
    // An output column, showing model `model` (-1: none).
    struct Column {
        QWidget* frame = nullptr;
        QLabel* title = nullptr;
        QLabel* stats = nullptr;
        QScrollArea* view = nullptr;
        ReasoningSection* reasoning = nullptr;
        StreamText* answer = nullptr;
        QPushButton* traceButton = nullptr;
        int model = -1;
    };

    // The widgets of a model's line in the model list.
    static std::vector<QWidget*> rowOf(const Model& m);
    QWidget* buildModelList();
    QWidget* buildSideBySide();
    QWidget* buildBatch();
    void connectWorker(int index);
    int columnOf(int model) const;
    QString modelName(int model) const;
    void resetColumns();
    void updateColumnTitle(int column);
    void finishColumn(int column);
    void showOutcome(int column);
    void syncScroll(int from);
    void showError(const QString& message);
    void fillBatchTable();
    void updateControls();

    core::RunStore* store_ = nullptr;
    int modelCount_ = kMinModels;
    std::vector<Model> models_;
    std::vector<Column> columns_;
    bool blindRun_ = false; // the columns show anonymous A and B
    bool voteOpen_ = false; // a finished blind comparison waits for its vote
    bool revealed_ = false;
    QString runPrompt_;
    QString runTruth_;
    bool batchRunning_ = false;
    int batchTotal_ = 0;
    std::vector<core::Problem> batchProblems_;
    std::vector<int> batchRows_; // table row -> model
    bool syncing_ = false;

    SamplingBar* sampling_;
    QLabel* messageBar_;
    QSpinBox* count_;
    QTabWidget* tabs_;
    QPlainTextEdit* prompt_;
    QLineEdit* truth_;
    QCheckBox* blind_;
    QPushButton* runButton_;
    QPushButton* stopButton_;
    QSplitter* splitter_;
    QWidget* voteBar_;
    std::vector<QPushButton*> voteButtons_;
    QLabel* reveal_;
    QRadioButton* fromTask_;
    QRadioButton* fromDataset_;
    QComboBox* task_;
    QLineEdit* dataset_;
    QPushButton* datasetBrowse_;
    QSpinBox* problems_;
    QSpinBox* samples_;
    QPushButton* batchButton_;
    QPushButton* batchStopButton_;
    QProgressBar* progress_;
    QTableWidget* table_;
};

} // namespace thinkbench::widgets
