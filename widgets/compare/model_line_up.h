#pragma once
// The models being compared: 2-4 model folders (Hugging Face or a run's checkpoints) or served
// models (RemoteModelDialog), each loaded on a ModelWorker of its own, listed under a count. Side by side and batch run
// the same line-up.

#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace thinkbench::widgets {

class ModelWorker;

class ModelLineUp : public QWidget {
    Q_OBJECT

public:
    static constexpr int kMinModels = 2;
    static constexpr int kMaxModels = 4;

    explicit ModelLineUp(QWidget* parent = nullptr);

    int count() const { return count_; }
    // Clamped to [kMinModels, kMaxModels]; not while busy.
    void setCount(int count);
    // Loads in the background (loadStarted, then the worker's loaded or failed). folder: a model
    // folder or an endpoint URL#MODEL; apiKey: the endpoint's key (empty: $OPENAI_API_KEY).
    void load(int model, const QString& folder, const QString& apiKey = {});
    // Models 0 to kMaxModels - 1, also those beyond the count.
    ModelWorker* worker(int model) const;
    // The models within the count that have a model loaded.
    std::vector<int> loaded() const;
    bool busy() const;
    // The loaded model's short name, else "Model N".
    QString name(int model) const;
    // Enables the folder fields of idle models and the count while nothing runs.
    void updateControls();

public slots:
    // Every running generation or evaluation stops after its current token.
    void stop();

signals:
    void countChanged(int count);
    // A model began loading: what needs an idle line-up waits.
    void loadStarted(int model);

private:
    // A model's line: its worker and widgets.
    struct Row {
        ModelWorker* worker = nullptr;
        QLabel* number = nullptr;
        QLineEdit* path = nullptr;
        QPushButton* browse = nullptr;
        QPushButton* remote = nullptr;
        QPushButton* load = nullptr;
        QLabel* status = nullptr;
        bool loading = false;
        QString apiKey; // the last remote model's key, never shown
    };

    static std::vector<QWidget*> widgetsOf(const Row& row);
    void connectWorker(int model);

    int count_ = kMinModels;
    std::vector<Row> rows_;
    QSpinBox* countBox_;
};

} // namespace thinkbench::widgets
