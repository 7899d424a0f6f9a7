#pragma once
// A model living on its own thread: loads a Hugging Face folder (config.json, model.safetensors,
// tokenizer.json), applies its chat template and streams generated text back through queued
// signals. Shared by the chat panel and the comparison panes.

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace thinkbench::widgets {

struct ChatSettings {
    float temperature = 0.6f;
    float topP = 0.95f;
    int maxNewTokens = 256;
    int thinkBudget = -1; // -1: no limit
    quint64 seed = 0;
};

class ChatModelWorker : public QObject {
    Q_OBJECT

public:
    ChatModelWorker();
    ~ChatModelWorker() override;

    // Safe from any thread: makes the running generation stop after its current token.
    void cancel() { cancel_ = true; }

public slots:
    void load(const QString& folder);
    // messages: alternating user/assistant turns, the last one the user's.
    void generate(const QStringList& messages, const thinkbench::widgets::ChatSettings& settings);

signals:
    void loaded(const QString& description);
    void failed(const QString& message);
    void delta(const QString& text, bool inReasoning);
    void finished(const QString& reasoning, const QString& answer, int tokens, double tokensPerSecond);

private:
    struct Model;
    std::unique_ptr<Model> model_;
    std::atomic<bool> cancel_{false};
};

} // namespace thinkbench::widgets

Q_DECLARE_METATYPE(thinkbench::widgets::ChatSettings)
