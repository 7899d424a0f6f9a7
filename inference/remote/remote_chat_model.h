#pragma once
// A model served by an OpenAI-compatible endpoint (our `thinkbench-cli serve`, vLLM, llama.cpp's
// server, Ollama, LM Studio) as a ChatModel. Chat streams /v1/chat/completions; evaluation sends
// one request per sample, a few at a time, each with a seed of its own. The reasoning comes from
// `reasoning_content` (DeepSeek, vLLM, llama.cpp) or `reasoning` (Ollama, newer vLLM) when the
// server sends it apart, else from <think> tags in the content: ReplyText keeps both in the R1
// format, so core::splitReasoning splits them as it splits a local model's.

#include "inference/chat_model.h"
#include "inference/remote/openai_client.h"

namespace thinkbench::inference {

class RemoteChatModel : public ChatModel {
public:
    // Asks the endpoint for its models (waiting 30 s at most): a wrong URL or key, or a model it
    // does not serve, fails here. Without a model name the endpoint must serve exactly one.
    explicit RemoteChatModel(Endpoint endpoint, const std::atomic<bool>* cancel = nullptr);

    std::string name() const override { return client_.endpoint().model; }
    std::string templateName() const override { return {}; }
    std::string endpoint() const override { return client_.endpoint().url; }
    // The server's template decides the prompt; its reply arrives as text that may open with a
    // thought, then the answer.
    core::ResponseFormat responseFormat(int maxTokens) const override
    {
        return {core::AnswerPlacement::AfterThink, false, maxTokens};
    }

    ChatReply chat(const std::vector<core::Message>& messages, const ChatSettings& settings,
                   const ReplyCallback& onReply, const std::atomic<bool>* cancel) override;
    std::vector<std::vector<ChatReply>> sample(const std::vector<SamplePrompt>& prompts, int n,
                                               const ChatSettings& settings, const std::atomic<bool>* cancel) override;

    // Requests an evaluation keeps in flight at once: enough to fill a batching server.
    static constexpr int kConcurrentRequests = 4;

private:
    nlohmann::json requestBody(const std::vector<core::Message>& messages, const ChatSettings& settings,
                               uint64_t seed) const;
    ChatReply completeOne(const std::string& prompt, const ChatSettings& settings, uint64_t seed,
                          const std::atomic<bool>* cancel) const;

    OpenAiClient client_;
};

} // namespace thinkbench::inference
