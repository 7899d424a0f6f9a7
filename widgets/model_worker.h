#pragma once
// One model on its own thread: opens it with inference::openChatModel (a Hugging Face folder, a
// run's checkpoint folder, or an OpenAI-compatible endpoint "URL#MODEL"), chats, streams the reply
// split into reasoning and answer, and runs evaluations, the same way for a local and a remote
// model. Every signal is emitted on the thread that owns the worker (the GUI thread), queued from
// the model's thread, so panels never touch the engine, and a slow or dead server never blocks the
// GUI. Torch stays in the .cpp.

#include "inference/eval.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace thinkbench::inference {
class ChatModel;
}

namespace thinkbench::widgets {

struct SamplingSettings {
    double temperature = 0.6; // 0: greedy
    double topP = 0.95;
    int maxNewTokens = 512;
    int thinkBudget = -1; // reasoning tokens before the thought is closed; -1: no limit
    quint64 seed = 0;
};

struct ChatTurn {
    QString role; // user | assistant | system
    QString content;
};

// The reply so far, sent a few dozen times a second while it streams.
struct StreamChunk {
    QString delta;     // text generated since the previous chunk
    QString reasoning; // the whole reply so far, split by core::splitReasoning
    QString answer;
    int tokens = 0;
    int reasoningTokens = 0;
    double tokensPerSecond = 0;
};

struct GenerationOutcome {
    QString prompt; // the templated prompt text
    bool promptOpensThinking = false;
    QString text; // the whole completion
    QString reasoning;
    QString answer;
    QString finishReason; // eos | stop | length | cancelled
    int tokens = 0;
    int reasoningTokens = 0;
    double tokensPerSecond = 0; // decode
    QStringList tokenTexts;     // per completion token (partial characters as U+FFFD)
    QVector<float> tokenLogprobs;
};

struct EvaluationOutcome {
    inference::EvalResult result;
    bool promptOpensThinking = false;
    bool cancelled = false;
};

class ModelWorker : public QObject {
    Q_OBJECT

public:
    explicit ModelWorker(QObject* parent = nullptr);
    // Stops the running job and waits for the thread.
    ~ModelWorker() override;

    // A short name for a model folder (checkpoint folders, final and step-N, get their stage's
    // name) or an endpoint's model.
    static QString displayName(const QString& folder);

    bool isLoaded() const { return loaded_; }
    bool busy() const { return busy_; }
    // The model as given to load(): a folder or an endpoint spec (never its key).
    QString folder() const { return folder_; }
    // Empty for a remote model: its server applies its own.
    QString templateName() const { return templateName_; }
    // The loaded model as the panels name it: its display name and chat template or endpoint.
    QString summary() const;

    // Each starts a job on the model's thread and returns false while another job runs (or, for
    // generate and evaluate, when no model is loaded). A job ends with exactly one of its finish
    // signals or failed().
    // apiKey: a remote model's bearer key; empty: $OPENAI_API_KEY.
    bool load(const QString& folder, const QString& apiKey = {});
    // messages: the conversation, ending with the user's turn.
    bool generate(const QList<ChatTurn>& messages, const SamplingSettings& settings);
    bool evaluate(const std::vector<core::Problem>& problems, const inference::EvalOptions& options);

    // Safe from any thread: the running generation or evaluation stops after its current token.
    void cancel();

signals:
    void loaded(const QString& folder, const QString& templateName);
    void failed(const QString& message); // the engine's message, naming the file
    void streamed(const thinkbench::widgets::StreamChunk& chunk);
    void generationFinished(const thinkbench::widgets::GenerationOutcome& outcome);
    void evaluationProgress(int done, int total);
    void evaluationFinished(const thinkbench::widgets::EvaluationOutcome& outcome);

private:
    bool start();
    // Runs a job on the model's thread; an exception ends it with failed().
    void runJob(std::function<void()> job);
    // Queues a signal (or any GUI-thread work) from the model's thread to this object's thread.
    void post(std::function<void()> signal);

    QThread* thread_;
    QObject* context_;                            // lives on thread_: jobs are queued to it
    std::unique_ptr<inference::ChatModel> model_; // touched on thread_ only
    std::atomic<bool> cancel_{false};
    bool loaded_ = false;
    bool busy_ = false;
    QString folder_;
    QString templateName_;
    QString endpoint_;
};

} // namespace thinkbench::widgets
