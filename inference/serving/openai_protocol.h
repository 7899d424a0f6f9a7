#pragma once
// The OpenAI chat-completions protocol as the server speaks it: requests read and checked (every
// problem an ApiError naming the field), and the JSON of responses, stream chunks, the model list
// and errors. Reasoning goes in reasoning_content apart from the answer in content, as DeepSeek's
// API returns it.

#include "core/tokenizer/chat_template.h"
#include "inference/generator.h"
#include "inference/sampling.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace thinkbench::inference::serving {

// An OpenAI-style error: {"error": {"message", "type", "param", "code"}} with an HTTP status.
struct ApiError : std::runtime_error {
    ApiError(int status, std::string message, std::string param = {}, std::string code = {},
             std::string type = "invalid_request_error");
    int status;
    std::string type, param, code;
};
nlohmann::json errorJson(const ApiError& error);

struct ChatRequest {
    std::string model;
    std::vector<core::Message> messages;
    SamplingParams params;        // maxNewTokens: see maxTokens
    std::optional<int> maxTokens; // max_tokens or max_completion_tokens; none: what the context leaves
    int n = 1;
    bool stream = false;
    bool includeUsage = false; // stream_options.include_usage
};

inline constexpr int kMaxChoices = 16;

// The body of POST /v1/chat/completions. Besides OpenAI's fields: `think_budget`, the reasoning
// tokens after which the thought is closed (the CLI's --think-budget), and `top_k`, `min_p`.
ChatRequest parseChatRequest(const std::string& body);

struct Usage {
    int64_t promptTokens = 0;
    int64_t completionTokens = 0;
};
nlohmann::json usageJson(const Usage& usage);

const char* finishReasonJson(FinishReason reason);

// results: one per choice, in choice order.
nlohmann::json completionJson(const std::string& id, const std::string& model, int64_t created,
                              const std::vector<GenerationResult>& results, const Usage& usage);
// One chunk of a stream: a delta of choice `index` (role, reasoning_content, content, each when
// given) and its finish reason once it ends.
nlohmann::json chunkJson(const std::string& id, const std::string& model, int64_t created, int index,
                         const nlohmann::json& delta, const char* finishReason = nullptr);
nlohmann::json modelsJson(const std::string& model, int64_t created);

} // namespace thinkbench::inference::serving
