#pragma once
// One sample being generated, token by token: its seeded random stream, forced tokens (the think
// budget closing the thought), streaming decode, and the stop conditions (EOS, stop strings,
// length). The Generator and the batch engine keep one per row.

#include "inference/generator.h"

#include <deque>
#include <memory>
#include <random>

namespace thinkbench::core {
class StreamDecoder;
}

namespace thinkbench::inference {

class Sequence {
public:
    // eos: the ids that end it when the request names none; closeThought: the tokens that close a
    // thought when the think budget runs out.
    Sequence(const core::Tokenizer& tokenizer, const GenerationRequest& request, int requestIndex, int sample,
             const std::vector<int32_t>& eos, const std::vector<int32_t>& closeThought);
    Sequence(Sequence&&) noexcept;
    ~Sequence();

    // The next token from this row's logits ([vocab], CPU f32), or a forced one; then its effect:
    // the event to stream, or nothing when it ended the sequence (EOS).
    std::optional<TokenEvent> step(const at::Tensor& logits);
    void cancel();
    bool done() const { return done_; }
    int32_t lastToken() const { return result_.ids.empty() ? 0 : result_.ids.back(); }
    const GenerationRequest& request() const { return *request_; }
    // The result so far (the Generator appends routing records to it).
    GenerationResult& result() { return result_; }
    // The finished result, reasoning split from the answer.
    GenerationResult finish();

private:
    const GenerationRequest* request_;
    std::mt19937_64 rng_;
    std::unique_ptr<core::StreamDecoder> decoder_;
    GenerationResult result_;
    std::vector<int32_t> eos_;
    const std::vector<int32_t>* closeThought_;
    std::deque<int32_t> forced_;
    int reasoningTokens_ = 0;
    bool thinking_ = false;
    bool done_ = false;
};

} // namespace thinkbench::inference
