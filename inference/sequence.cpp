#include "inference/sequence.h"

#include "core/text/think_tags.h"
#include "core/tokenizer/tokenizer.h"

#include <algorithm>

namespace thinkbench::inference {

Sequence::Sequence(const core::Tokenizer& tokenizer, const GenerationRequest& request, int requestIndex, int sample,
                   const std::vector<int32_t>& eos, const std::vector<int32_t>& closeThought)
    : request_(&request)
    // Distinct, reproducible streams per sample: seed and sample index mixed.
    , rng_(request.params.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(sample) + 1)
    , decoder_(std::make_unique<core::StreamDecoder>(tokenizer, true))
    , eos_(request.params.eosIds.empty() ? eos : request.params.eosIds)
    , closeThought_(&closeThought)
    , thinking_(request.promptOpensThinking)
{
    result_.request = requestIndex;
    result_.sample = sample;
}

Sequence::Sequence(Sequence&&) noexcept = default;
Sequence::~Sequence() = default;

std::optional<TokenEvent> Sequence::step(const at::Tensor& logits)
{
    const SamplingParams& params = request_->params;
    SampledToken token;
    if (!forced_.empty()) {
        token = {forced_.front(), 0.0f};
        forced_.pop_front();
    } else {
        token = sampleToken(logits, params, rng_);
    }
    if (std::find(eos_.begin(), eos_.end(), token.id) != eos_.end()) {
        result_.finish = FinishReason::Eos;
        done_ = true;
        return std::nullopt;
    }
    result_.ids.push_back(token.id);
    result_.tokenLogprobs.push_back(token.logprob);
    const std::string delta = decoder_->push(token.id);
    result_.text += delta;
    const bool wasThinking = thinking_ || result_.text.starts_with(core::kThinkOpen);
    thinking_ = wasThinking && result_.text.find(core::kThinkClose) == std::string::npos;
    TokenEvent event{result_.request, result_.sample, token.id, delta, wasThinking};
    if (thinking_ && params.thinkBudget >= 0 && forced_.empty() && ++reasoningTokens_ >= params.thinkBudget)
        forced_.assign(closeThought_->begin(), closeThought_->end());
    for (const auto& stop : params.stopStrings) {
        const size_t from =
            result_.text.size() > stop.size() + delta.size() ? result_.text.size() - stop.size() - delta.size() : 0;
        const size_t at = result_.text.find(stop, from);
        if (!stop.empty() && at != std::string::npos) {
            result_.text.resize(at);
            result_.finish = FinishReason::Stop;
            done_ = true;
            break;
        }
    }
    if (!done_ && static_cast<int>(result_.ids.size()) >= params.maxNewTokens && forced_.empty()) {
        result_.finish = FinishReason::Length;
        done_ = true;
    }
    return event;
}

void Sequence::cancel()
{
    result_.finish = FinishReason::Cancelled;
    done_ = true;
}

GenerationResult Sequence::finish()
{
    result_.text += decoder_->finish();
    const core::ReasoningSplit split = core::splitReasoning(result_.text, request_->promptOpensThinking);
    result_.reasoning = split.reasoning;
    result_.answer = split.answer;
    return std::move(result_);
}

} // namespace thinkbench::inference
