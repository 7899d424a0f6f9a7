#pragma once
// Batched generation: prompts of different lengths prefilled in one pass (left padding), n samples
// per prompt sharing that prefill, batched decoding that retires finished sequences, stop strings
// and EOS, streaming text deltas, cancellation from another thread, and an optional think budget.

#include "inference/sampling.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {
class Tokenizer;
class Transformer;
} // namespace thinkbench::core

namespace thinkbench::inference {

struct GenerationRequest {
    std::vector<int32_t> promptIds;
    SamplingParams params;
    int n = 1;
    // The prompt ends inside an opened <think> (DeepSeek-R1 distill template): the completion
    // starts as reasoning.
    bool promptOpensThinking = false;
    // Keep the experts every MoE layer routed each position to (GenerationResult::routedExperts),
    // for routing replay in training.
    bool recordExperts = false;
};

enum class FinishReason { Eos, Stop, Length, Cancelled };
const char* finishReasonName(FinishReason reason);

struct GenerationResult {
    int request = 0;
    int sample = 0;
    std::vector<int32_t> ids;         // completion only (EOS excluded)
    std::vector<float> tokenLogprobs; // per id, see SampledToken::logprob (0 for forced tokens)
    std::string text;                 // decoded completion, special tokens skipped
    std::string reasoning;
    std::string answer;
    FinishReason finish = FinishReason::Length;
    // With recordExperts on a MoE model: [position][MoE layer][k], the prompt's positions and then
    // each completion token fed back to the model (the last sampled token is never fed).
    std::vector<int16_t> routedExperts;
};

struct TokenEvent {
    int request = 0;
    int sample = 0;
    int32_t tokenId = 0;
    std::string textDelta; // complete UTF-8 characters only
    bool inReasoning = false;
};

struct GenerationStats {
    int64_t prefillTokens = 0;
    double prefillSeconds = 0;
    int64_t decodeTokens = 0;
    double decodeSeconds = 0;
    size_t peakMemoryBytes = 0; // peak resident set on CPU
    double prefillTokensPerSecond() const { return prefillSeconds > 0 ? prefillTokens / prefillSeconds : 0; }
    double decodeTokensPerSecond() const { return decodeSeconds > 0 ? decodeTokens / decodeSeconds : 0; }
};

class Generator {
public:
    Generator(const core::Transformer& model, const core::Tokenizer& tokenizer);

    using TokenCallback = std::function<void(const TokenEvent&)>;
    // Results in request order, then sample order.
    std::vector<GenerationResult> generate(const std::vector<GenerationRequest>& requests,
                                           const TokenCallback& onToken = {},
                                           const std::atomic<bool>* cancel = nullptr);
    const GenerationStats& lastStats() const { return stats_; }

private:
    const core::Transformer& model_;
    const core::Tokenizer& tokenizer_;
    GenerationStats stats_;
};

} // namespace thinkbench::inference
