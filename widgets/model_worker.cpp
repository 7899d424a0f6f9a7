#include "widgets/model_worker.h"

#include "core/text/think_tags.h"
#include "inference/generator.h"
#include "inference/model_folder.h"
#include "inference/threads.h"

#include <torch/cuda.h>

#include <QDir>
#include <QThread>

#include <algorithm>
#include <chrono>

namespace thinkbench::widgets {

namespace {

using Clock = std::chrono::steady_clock;
// Streamed text reaches the GUI at most this often: enough for smooth text, few repaints.
constexpr auto kChunkInterval = std::chrono::milliseconds(33);

// Tokens on the reasoning side of the split: those ending where the reasoning ends or before (all
// of them while an opened thought goes on). ends: the text's length after each token.
int reasoningTokenCount(const std::vector<size_t>& ends, const core::ReasoningSplit& split)
{
    if (!split.closed && split.reasoning.empty())
        return 0; // no thought, or nothing in it yet
    return static_cast<int>(std::upper_bound(ends.begin(), ends.end(), split.reasoningEnd) - ends.begin());
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
    const QDir dir(folder);
    const QString name = dir.dirName();
    if (name == QLatin1String("final") || name.startsWith(QLatin1String("step-"))) {
        QDir parent = dir;
        if (parent.cdUp())
            return parent.dirName() + QLatin1Char('/') + name;
    }
    return name;
}

QString ModelWorker::summary() const
{
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

bool ModelWorker::load(const QString& folder)
{
    if (!start())
        return false;
    runJob([this, folder] {
        const at::Device device = torch::cuda::is_available() ? at::Device(at::kCUDA) : at::Device(at::kCPU);
        auto next = std::make_unique<inference::ModelFolder>(
            inference::loadModelFolder(folder.toStdString(), at::kFloat, device));
        inference::configureCpuThreads(next->model.device());
        const QString templateName = QString::fromStdString(next->chat.name());
        model_ = std::move(next);
        post([this, folder, templateName] {
            loaded_ = true;
            folder_ = folder;
            templateName_ = templateName;
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
        inference::ModelFolder& m = *model_;
        std::vector<core::Message> history;
        for (const ChatTurn& turn : messages)
            history.push_back({turn.role.toStdString(), turn.content.toStdString()});
        const std::string prompt = m.chat.apply(history);
        inference::GenerationRequest request;
        request.promptIds = m.tokenizer.encode(prompt, true);
        request.promptOpensThinking = m.chat.opensThinking();
        request.params.temperature = static_cast<float>(settings.temperature);
        request.params.topP = static_cast<float>(settings.topP);
        request.params.maxNewTokens = settings.maxNewTokens;
        request.params.thinkBudget = settings.thinkBudget;
        request.params.seed = settings.seed;
        request.params.greedy = settings.temperature <= 0;

        std::string text;
        std::string pending;
        std::vector<size_t> tokenEnds;
        Clock::time_point firstToken;
        Clock::time_point lastChunk;
        auto sendChunk = [&] {
            const auto split = core::splitReasoning(text, request.promptOpensThinking);
            const double seconds = std::chrono::duration<double>(Clock::now() - firstToken).count();
            const int tokens = static_cast<int>(tokenEnds.size());
            StreamChunk chunk{QString::fromStdString(pending),       QString::fromStdString(split.reasoning),
                              QString::fromStdString(split.answer),  tokens,
                              reasoningTokenCount(tokenEnds, split), seconds > 0 ? (tokens - 1) / seconds : 0.0};
            pending.clear();
            lastChunk = Clock::now();
            post([this, chunk] { emit streamed(chunk); });
        };
        inference::Generator generator(m.model, m.tokenizer);
        const auto results = generator.generate(
            {request},
            [&](const inference::TokenEvent& e) {
                if (tokenEnds.empty())
                    firstToken = Clock::now();
                text += e.textDelta;
                tokenEnds.push_back(text.size());
                pending += e.textDelta;
                if (Clock::now() - lastChunk >= kChunkInterval)
                    sendChunk();
            },
            &cancel_);
        if (!pending.empty())
            sendChunk();

        const inference::GenerationResult& r = results.front();
        GenerationOutcome outcome;
        outcome.prompt = QString::fromStdString(prompt);
        outcome.promptOpensThinking = request.promptOpensThinking;
        outcome.text = QString::fromStdString(r.text);
        outcome.reasoning = QString::fromStdString(r.reasoning);
        outcome.answer = QString::fromStdString(r.answer);
        outcome.finishReason = QString::fromLatin1(inference::finishReasonName(r.finish));
        outcome.tokens = static_cast<int>(r.ids.size());
        outcome.reasoningTokens =
            reasoningTokenCount(tokenEnds, core::splitReasoning(r.text, request.promptOpensThinking));
        outcome.tokensPerSecond = generator.lastStats().decodeTokensPerSecond();
        for (const int32_t id : r.ids)
            outcome.tokenTexts << QString::fromStdString(core::lossyUtf8(m.tokenizer.tokenBytes(id)));
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
        inference::ModelFolder& m = *model_;
        EvaluationOutcome outcome;
        outcome.promptOpensThinking =
            (options.chatTemplate.empty() ? m.chat : core::ChatTemplate::named(options.chatTemplate)).opensThinking();
        outcome.result = inference::evaluate(
            m.model, m.tokenizer, problems, options,
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
