#pragma once
// A Hugging Face folder (or a run's checkpoint) as a ChatModel: the chat template applied here,
// generation by inference::Generator, n samples of a prompt sharing one prefill.

#include "inference/chat_model.h"
#include "inference/model_folder.h"

#include <optional>

namespace thinkbench::inference {

class LocalChatModel : public ChatModel {
public:
    // Owns the loaded folder; name: what the panels call it.
    LocalChatModel(ModelFolder folder, std::string name);
    // Borrows a model and tokenizer that outlive this (a training stage's policy).
    LocalChatModel(const core::Transformer& model, const core::Tokenizer& tokenizer, core::ChatTemplate chat,
                   std::string name);
    LocalChatModel(const LocalChatModel&) = delete;
    LocalChatModel& operator=(const LocalChatModel&) = delete;

    std::string name() const override { return name_; }
    std::string templateName() const override { return chat_.name(); }
    std::string endpoint() const override { return {}; }
    core::ResponseFormat responseFormat(int maxTokens) const override { return chat_.responseFormat(maxTokens); }

    ChatReply chat(const std::vector<core::Message>& messages, const ChatSettings& settings,
                   const ReplyCallback& onReply, const std::atomic<bool>* cancel) override;
    std::vector<std::vector<ChatReply>> sample(const std::vector<SamplePrompt>& prompts, int n,
                                               const ChatSettings& settings, const std::atomic<bool>* cancel) override;

private:
    std::optional<ModelFolder> owned_; // first: the references below may point into it
    const core::Transformer& model_;
    const core::Tokenizer& tokenizer_;
    core::ChatTemplate chat_;
    std::string name_;
};

} // namespace thinkbench::inference
