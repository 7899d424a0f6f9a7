#pragma once
// Names a model served by an OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama, LM Studio,
// `thinkbench-cli serve`): its base URL, the model's name there and an optional API key. The
// chat panel and the compare line-up open it from their "Remote…" buttons; the result is the
// spec their model fields take (URL#MODEL) and the key, which stays out of the field.

#include <QDialog>

#include <optional>

class QLineEdit;

namespace thinkbench::widgets {

struct RemoteModel {
    QString spec;   // URL#MODEL, as ModelWorker::load takes it
    QString apiKey; // empty: $OPENAI_API_KEY
};

class RemoteModelDialog : public QDialog {
    Q_OBJECT

public:
    // spec: a spec to start from (a field's text when it names an endpoint).
    explicit RemoteModelDialog(const QString& spec, const QString& apiKey, QWidget* parent = nullptr);

    RemoteModel remoteModel() const;

    // Runs the dialog; nothing when cancelled.
    static std::optional<RemoteModel> ask(QWidget* parent, const QString& spec, const QString& apiKey);

private:
    QLineEdit* url_;
    QLineEdit* model_;
    QLineEdit* apiKey_;
};

} // namespace thinkbench::widgets
