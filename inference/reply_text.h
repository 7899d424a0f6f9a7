#pragma once
// A reply as it streams in, kept in the R1 format whichever way it arrives: a local model's tokens
// as they decode, or an endpoint's deltas with the reasoning given apart (reasoning_content) and
// wrapped here in <think> … </think>. core::splitReasoning then reads both alike.

#include "core/text/think_tags.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::inference {

class ReplyText {
public:
    explicit ReplyText(bool promptOpensThinking = false);

    // One token of the completion (a local token's text, an endpoint's content delta).
    void append(std::string_view delta);
    // One token of reasoning that the endpoint sent apart from the answer.
    void appendReasoning(std::string_view delta);

    // The completion so far in the R1 format.
    const std::string& text() const { return text_; }
    bool promptOpensThinking() const { return promptOpensThinking_; }
    core::ReasoningSplit split() const;
    int tokens() const { return static_cast<int>(tokenEnds_.size()); }
    // Tokens on the reasoning side of `split` (of this text or of the final completion): those
    // ending where the reasoning ends or before (all of them while an opened thought goes on).
    int reasoningTokens(const core::ReasoningSplit& split) const;
    // Decode speed since the first token.
    double tokensPerSecond() const;

private:
    void countToken();

    bool promptOpensThinking_;
    bool reasoningOpen_ = false; // a reasoning delta opened <think> that no content closed yet
    std::string text_;
    std::vector<size_t> tokenEnds_; // the text's length after each token
    std::chrono::steady_clock::time_point firstToken_;
};

} // namespace thinkbench::inference
