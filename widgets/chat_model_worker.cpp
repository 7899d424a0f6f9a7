#include "widgets/chat_model_worker.h"

#include "core/error.h"
#include "core/model/transformer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/generator.h"
#include "inference/threads.h"

#include <QDir>

namespace thinkbench::widgets {

struct ChatModelWorker::Model {
    core::Tokenizer tokenizer;
    core::Transformer transformer;
    core::ChatTemplate chat;
};

ChatModelWorker::ChatModelWorker() { qRegisterMetaType<ChatSettings>(); }

ChatModelWorker::~ChatModelWorker() = default;

void ChatModelWorker::load(const QString& folder)
{
    try {
        const std::string dir = folder.toStdString();
        auto tokenizer = core::Tokenizer::fromDirectory(dir);
        auto transformer = core::Transformer::load(dir, at::kFloat, at::Device(at::kCPU));
        inference::configureCpuThreads(transformer.dtype(), transformer.device());
        const auto chat = core::ChatTemplate::forTokenizer(tokenizer);
        model_.reset(new Model{std::move(tokenizer), std::move(transformer), chat});
        emit loaded(tr("%1 (%2 template)").arg(QDir(folder).dirName(), QString::fromStdString(chat.name())));
    } catch (const std::exception& e) {
        model_.reset();
        emit failed(QString::fromUtf8(e.what()));
    }
}

void ChatModelWorker::generate(const QStringList& messages, const ChatSettings& settings)
{
    if (!model_) {
        emit failed(tr("No model loaded"));
        return;
    }
    try {
        std::vector<core::Message> history;
        for (int i = 0; i < messages.size(); ++i)
            history.push_back({i % 2 == 0 ? "user" : "assistant", messages[i].toStdString()});
        inference::GenerationRequest request;
        request.promptIds = model_->tokenizer.encode(model_->chat.apply(history), true);
        request.promptOpensThinking = model_->chat.opensThinking();
        request.params.temperature = settings.temperature;
        request.params.topP = settings.topP;
        request.params.maxNewTokens = settings.maxNewTokens;
        request.params.thinkBudget = settings.thinkBudget;
        request.params.seed = settings.seed;
        cancel_ = false;
        inference::Generator generator(model_->transformer, model_->tokenizer);
        const auto results = generator.generate(
            {request},
            [this](const inference::TokenEvent& e) {
                if (!e.textDelta.empty())
                    emit delta(QString::fromStdString(e.textDelta), e.inReasoning);
            },
            &cancel_);
        const auto& r = results.front();
        emit finished(QString::fromStdString(r.reasoning), QString::fromStdString(r.answer),
                      int(r.ids.size()), generator.lastStats().decodeTokensPerSecond());
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
    }
}

} // namespace thinkbench::widgets
