#include "widgets/model_worker.h"

#include "core/cuda/cuda_support.h"
#include "inference/chat_model.h"

#include <QThread>

#include <chrono>

namespace thinkbench::widgets {

namespace {

using Clock = std::chrono::steady_clock;
// Streamed text reaches the GUI at most this often: enough for smooth text, few repaints.
constexpr auto kChunkInterval = std::chrono::milliseconds(33);

inference::ChatSettings chatSettings(const SamplingSettings& settings)
{
    return {static_cast<float>(settings.temperature), static_cast<float>(settings.topP), settings.maxNewTokens,
            settings.thinkBudget, settings.seed};
}

} // namespace

ModelWorker::ModelWorker(QObject* parent)
    : QObject(parent)
    , thread_(new QThread(this))
    , context_(new QObject)
{
    thread_->setObjectName(QStringLiteral("ModelWorker"));
    context_->moveToThread(thread_);
    thread_->start();
}

ModelWorker::~ModelWorker()
{
    cancel_ = true;
    // The model is freed on its own thread, after the job that is running now.
    QMetaObject::invokeMethod(
        context_,
        [this] {
            model_.reset();
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
    thread_->wait();
    delete context_;
}

QString ModelWorker::displayName(const QString& folder)
{
    return QString::fromStdString(inference::modelDisplayName(folder.toStdString()));
}

QString ModelWorker::summary() const
{
    if (!endpoint_.isEmpty())
        return tr("%1 · served by %2").arg(displayName(folder_), endpoint_);
    return tr("%1 · %2 template").arg(displayName(folder_), templateName_);
}

bool ModelWorker::start()
{
    if (busy_)
        return false;
    busy_ = true;
    cancel_ = false; // here, not on the model's thread: a cancel() right after a start counts
    return true;
}

void ModelWorker::runJob(std::function<void()> job)
{
    QMetaObject::invokeMethod(
        context_,
        [this, job = std::move(job)] {
            try {
                job();
            } catch (const std::exception& e) {
                const QString message = QString::fromUtf8(e.what());
                post([this, message] {
                    busy_ = false;
                    emit failed(message);
                });
            }
        },
        Qt::QueuedConnection);
}

void ModelWorker::post(std::function<void()> signal)
{
    QMetaObject::invokeMethod(this, std::move(signal), Qt::QueuedConnection);
}

void ModelWorker::cancel()
{
    cancel_ = true;
}

bool ModelWorker::load(const QString& folder, const QString& apiKey)
{
    if (!start())
        return false;
    runJob([this, folder, apiKey] {
        inference::ModelOptions options;
        options.device = core::cudaAvailable() ? at::Device(at::kCUDA) : at::Device(at::kCPU);
        options.apiKey = apiKey.toStdString();
        auto next = inference::openChatModel(folder.toStdString(), options, &cancel_); // cancel_: the worker closing
        const QString templateName = QString::fromStdString(next->templateName());
        const QString endpoint = QString::fromStdString(next->endpoint());
        model_ = std::move(next);
        post([this, folder, templateName, endpoint] {
            loaded_ = true;
            folder_ = folder;
            templateName_ = templateName;
            endpoint_ = endpoint;
            busy_ = false;
            emit loaded(folder, templateName);
        });
    });
    return true;
}

bool ModelWorker::generate(const QList<ChatTurn>& messages, const SamplingSettings& settings)
{
    if (!loaded_ || !start())
        return false;
    runJob([this, messages, settings] {
        std::vector<core::Message> history;
        for (const ChatTurn& turn : messages)
            history.push_back({turn.role.toStdString(), turn.content.toStdString()});
        size_t sent = 0; // bytes of the text already in a chunk
        Clock::time_point lastChunk;
        auto sendChunk = [&](const std::string& text, const std::string& reasoning, const std::string& answer,
                             int tokens, int reasoningTokens, double tokensPerSecond) {
            StreamChunk chunk{QString::fromStdString(text.substr(std::min(sent, text.size()))),
                              QString::fromStdString(reasoning),
                              QString::fromStdString(answer),
                              tokens,
                              reasoningTokens,
                              tokensPerSecond};
            sent = text.size();
            lastChunk = Clock::now();
            post([this, chunk] { emit streamed(chunk); });
        };
        const inference::ChatReply r = model_->chat(
            history, chatSettings(settings),
            [&](const inference::ReplyText& reply) {
                if (Clock::now() - lastChunk < kChunkInterval)
                    return;
                const core::ReasoningSplit split = reply.split();
                sendChunk(reply.text(), split.reasoning, split.answer, reply.tokens(), reply.reasoningTokens(split),
                          reply.tokensPerSecond());
            },
            &cancel_);
        if (r.text.size() > sent)
            sendChunk(r.text, r.reasoning, r.answer, r.tokens, r.reasoningTokens, r.tokensPerSecond);

        GenerationOutcome outcome;
        outcome.prompt = QString::fromStdString(r.prompt);
        outcome.promptOpensThinking = r.promptOpensThinking;
        outcome.text = QString::fromStdString(r.text);
        outcome.reasoning = QString::fromStdString(r.reasoning);
        outcome.answer = QString::fromStdString(r.answer);
        outcome.finishReason = QString::fromLatin1(inference::finishReasonName(r.finish));
        outcome.tokens = r.tokens;
        outcome.reasoningTokens = r.reasoningTokens;
        outcome.tokensPerSecond = r.tokensPerSecond;
        for (const std::string& token : r.tokenTexts)
            outcome.tokenTexts << QString::fromStdString(token);
        outcome.tokenLogprobs = QVector<float>(r.tokenLogprobs.begin(), r.tokenLogprobs.end());
        post([this, outcome] {
            busy_ = false;
            emit generationFinished(outcome);
        });
    });
    return true;
}

bool ModelWorker::evaluate(const std::vector<core::Problem>& problems, const inference::EvalOptions& options)
{
    if (!loaded_ || !start())
        return false;
    runJob([this, problems, options] {
        EvaluationOutcome outcome;
        outcome.promptOpensThinking = model_->responseFormat(options.maxNewTokens).promptOpensThinking;
        outcome.result = inference::evaluate(
            *model_, problems, options,
            [this](int done, int total) { post([this, done, total] { emit evaluationProgress(done, total); }); },
            &cancel_);
        outcome.cancelled = cancel_.load();
        post([this, outcome] {
            busy_ = false;
            emit evaluationFinished(outcome);
        });
    });
    return true;
}

} // namespace thinkbench::widgets
