#include "widgets/model_worker.h"

#include "core/model/transformer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/generator.h"
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

QString toQ(const std::string& s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Tokens on the reasoning side of splitReasoning: those ending before </think>, or all of them
// while an opened thought goes on. ends: the text's length after each token.
int reasoningTokenCount(const std::string& text, const std::vector<size_t>& ends,
                        const inference::ReasoningSplit& split)
{
    if (!split.closed)
        return split.reasoning.empty() ? 0 : static_cast<int>(ends.size());
    const size_t close = text.find("</think>");
    return static_cast<int>(std::upper_bound(ends.begin(), ends.end(), close) - ends.begin());
}

} // namespace

struct ModelWorker::Engine {
    struct Loaded {
        core::Tokenizer tokenizer;
        core::Transformer model;
        core::ChatTemplate chat;
    };
    std::unique_ptr<Loaded> loaded;
};

ModelWorker::ModelWorker(QObject* parent)
    : QObject(parent)
    , thread_(new QThread(this))
    , context_(new QObject)
    , engine_(std::make_unique<Engine>())
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
            engine_->loaded.reset();
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
        const std::string dir = folder.toStdString();
        const at::Device device =
            torch::cuda::is_available() ? at::Device(at::kCUDA) : at::Device(at::kCPU);
        auto model = core::Transformer::load(dir, at::kFloat, device);
        auto tokenizer = core::Tokenizer::fromDirectory(dir);
        inference::configureCpuThreads(model.device());
        const auto chat = core::ChatTemplate::forTokenizer(tokenizer);
        const QString templateName = toQ(chat.name());
        engine_->loaded.reset(); // the old model goes before the new one settles in
        engine_->loaded.reset(new Engine::Loaded{std::move(tokenizer), std::move(model), chat});
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
        Engine::Loaded& m = *engine_->loaded;
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
            const auto split = inference::splitReasoning(text, request.promptOpensThinking);
            const double seconds = std::chrono::duration<double>(Clock::now() - firstToken).count();
            const int tokens = static_cast<int>(tokenEnds.size());
            StreamChunk chunk{toQ(pending),
                              toQ(split.reasoning),
                              toQ(split.answer),
                              tokens,
                              reasoningTokenCount(text, tokenEnds, split),
                              seconds > 0 ? (tokens - 1) / seconds : 0.0};
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
        outcome.prompt = toQ(prompt);
        outcome.promptOpensThinking = request.promptOpensThinking;
        outcome.text = toQ(r.text);
        outcome.reasoning = toQ(r.reasoning);
        outcome.answer = toQ(r.answer);
        outcome.finishReason = QString::fromLatin1(inference::finishReasonName(r.finish));
        outcome.tokens = static_cast<int>(r.ids.size());
        outcome.reasoningTokens = reasoningTokenCount(
            r.text, tokenEnds, inference::splitReasoning(r.text, request.promptOpensThinking));
        outcome.tokensPerSecond = generator.lastStats().decodeTokensPerSecond();
        for (const int32_t id : r.ids)
            outcome.tokenTexts << toQ(core::lossyUtf8(m.tokenizer.tokenBytes(id)));
        outcome.tokenLogprobs = QVector<float>(r.tokenLogprobs.begin(), r.tokenLogprobs.end());
        post([this, outcome] {
            busy_ = false;
            emit generationFinished(outcome);
        });
    });
    return true;
}

bool ModelWorker::evaluate(const std::vector<core::Problem>& problems,
                           const inference::EvalOptions& options)
{
    if (!loaded_ || !start())
        return false;
    runJob([this, problems, options] {
        Engine::Loaded& m = *engine_->loaded;
        EvaluationOutcome outcome;
        outcome.promptOpensThinking =
            (options.chatTemplate.empty() ? m.chat
                                          : core::ChatTemplate::named(options.chatTemplate))
                .opensThinking();
        outcome.result = inference::evaluate(
            m.model, m.tokenizer, problems, options,
            [this](int done, int total) {
                post([this, done, total] { emit evaluationProgress(done, total); });
            },
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
