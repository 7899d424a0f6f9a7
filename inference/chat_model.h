#pragma once
// A model as the chat and compare panels, `generate` and evaluation see it: a conversation in, a
// reply out in the R1 format (reasoning inside <think> … </think>, then the answer), streamed and
// stoppable. Two kinds stand behind it: a local Hugging Face folder (LocalChatModel) and a model
// served by an OpenAI-compatible endpoint (RemoteChatModel); openChatModel picks by the name.

#include "core/text/think_tags.h"
#include "core/tokenizer/chat_template.h"
#include "inference/generator.h"
#include "inference/reply_text.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace thinkbench::inference {

struct ChatSettings {
    float temperature = 0.6f; // 0: greedy
    float topP = 0.95f;
    int maxNewTokens = 512;
    int thinkBudget = -1; // reasoning tokens before the thought is closed; -1: no limit
    uint64_t seed = 0;
};

struct ChatReply {
    std::string prompt; // the templated prompt; a remote model's: the last user turn (its server templates)
    bool promptOpensThinking = false;
    std::string text; // the completion in the R1 format
    std::string reasoning;
    std::string answer;
    FinishReason finish = FinishReason::Length;
    int tokens = 0;
    int reasoningTokens = 0;
    double tokensPerSecond = 0; // decode
    // Per completion token, local models only (partial characters as U+FFFD).
    std::vector<std::string> tokenTexts;
    std::vector<float> tokenLogprobs;
};

// One prompt of an evaluation: a single user turn and the seed of its samples.
struct SamplePrompt {
    std::string prompt;
    uint64_t seed = 0;
};

// Called after every token with the reply so far.
using ReplyCallback = std::function<void(const ReplyText&)>;

class ChatModel {
public:
    virtual ~ChatModel() = default;

    // A short name: the folder (with its run stage for checkpoints) or the served model's name.
    virtual std::string name() const = 0;
    // The chat template applied here; empty when the server applies its own.
    virtual std::string templateName() const = 0;
    // The endpoint's URL; empty for a local model.
    virtual std::string endpoint() const = 0;
    // The shape of completions, for the rewards that score them.
    virtual core::ResponseFormat responseFormat(int maxTokens) const = 0;

    // messages: the conversation, ending with the user's turn; earlier assistant turns as chat()
    // returned them. A cancelled reply returns what came so far with FinishReason::Cancelled;
    // failures throw core::Error naming the model or endpoint.
    virtual ChatReply chat(const std::vector<core::Message>& messages, const ChatSettings& settings,
                           const ReplyCallback& onReply = {}, const std::atomic<bool>* cancel = nullptr) = 0;
    // n samples of each prompt (settings.seed unused: each prompt has its own), in prompt order;
    // after a cancel, fewer.
    virtual std::vector<std::vector<ChatReply>> sample(const std::vector<SamplePrompt>& prompts, int n,
                                                       const ChatSettings& settings,
                                                       const std::atomic<bool>* cancel = nullptr) = 0;
};

struct ModelOptions {
    c10::ScalarType dtype = c10::kFloat;
    c10::Device device = c10::Device(c10::kCPU);
    std::string tokenizer;       // local: a tokenizer.json or folder instead of the model's own
    std::string chatTemplate;    // local: a template name instead of the tokenizer's
    std::string apiKey;          // remote: the bearer key; empty: $OPENAI_API_KEY
    double timeoutSeconds = 300; // remote: the longest wait for the server's next bytes
};

// A short name: a folder's (a run's checkpoint folders, final and step-N, with their stage's), an
// endpoint's model name (else its URL).
std::string modelDisplayName(const std::string& model);

// model: a model folder, or an endpoint "URL#NAME" (http:// or https://, e.g.
// http://127.0.0.1:8080/v1#qwen3; without #NAME, the one model the endpoint serves). A remote
// model is asked for its model list first, so a wrong URL, key or name fails here; cancel ends
// that wait.
std::unique_ptr<ChatModel> openChatModel(const std::string& model, const ModelOptions& options,
                                         const std::atomic<bool>* cancel = nullptr);

} // namespace thinkbench::inference
