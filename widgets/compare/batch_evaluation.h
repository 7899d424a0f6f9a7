#pragma once
// Batch: every loaded model evaluated on the same problems (a task family's held-out problems as
// core::drawHeldOut draws them for the sampling seed, so `thinkbench-cli eval --task T --seed S`
// scores the same ones, or a JSONL dataset): pass@1, cons@k, pass@k, mean length and format rate
// per model, and a cell per problem that opens the model's first sample of it.

#include "widgets/model_worker.h"
#include "widgets/trace_stepper.h"

#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTableWidget;

namespace thinkbench::widgets {

class ModelLineUp;
class SamplingBar;

class BatchEvaluation : public QWidget {
    Q_OBJECT

public:
    // `models` and `sampling` are shared with the rest of the compare panel and must outlive this.
    BatchEvaluation(ModelLineUp* models, SamplingBar* sampling, QWidget* parent = nullptr);

    // A task spec (its held-out split) or a dataset file; the last one set is used.
    void setTask(const QString& spec);
    void setDataset(const QString& path);
    void setProblems(int count);
    void setSamples(int k);
    QTableWidget* table() const { return table_; }
    // The first sample of `problem` in the result of the table's row `row`.
    TraceSample trace(int row, int problem) const;

    // Evaluates every loaded model; false when nothing started (the reason in errorOccurred).
    bool run();
    void updateControls();

signals:
    void started();
    void errorOccurred(const QString& message);
    void progress(int done, int total);
    void finished();
    void openTraceRequested(const thinkbench::widgets::TraceSample& sample);

private:
    // A model's part of the batch.
    struct Job {
        bool running = false;
        int done = 0;
        std::optional<EvaluationOutcome> evaluation;
    };

    void connectWorker(int model);
    std::vector<core::Problem> drawProblems() const;
    void fillTable();

    ModelLineUp* models_;
    SamplingBar* sampling_;
    std::vector<Job> jobs_; // per model
    bool running_ = false;
    int total_ = 0;
    std::vector<core::Problem> problems_;
    std::vector<int> rows_; // table row -> model

    QRadioButton* fromTask_;
    QRadioButton* fromDataset_;
    QComboBox* task_;
    QLineEdit* dataset_;
    QPushButton* datasetBrowse_;
    QSpinBox* problemCount_;
    QSpinBox* samples_;
    QPushButton* runButton_;
    QPushButton* stopButton_;
    QProgressBar* progressBar_;
    QTableWidget* table_;
};

} // namespace thinkbench::widgets
