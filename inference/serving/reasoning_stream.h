#pragma once
// Cuts a streamed completion into reasoning and answer deltas (the reasoning_content and content
// of an OpenAI-style stream) that add up to exactly what core::splitReasoning gives for the whole
// completion: text that could still turn out to be a think tag or a stop string is held back until
// the next token settles it, since a sent delta cannot be taken back.

#include "inference/generator.h"

#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::inference::serving {

struct ReplyDelta {
    std::string reasoning;
    std::string content;
    bool empty() const { return reasoning.empty() && content.empty(); }
};

class ReasoningStream {
public:
    ReasoningStream(bool promptOpensThinking, std::vector<std::string> stopStrings);
    // The settled part of the completion after this token's text.
    ReplyDelta push(std::string_view textDelta);
    // What is left once the sample has ended.
    ReplyDelta finish(const GenerationResult& result);

private:
    ReplyDelta advance(const std::string& reasoning, const std::string& answer);

    bool promptOpensThinking_;
    std::vector<std::string> stops_;
    std::vector<std::string> guards_; // stop strings and think tags a tail may be the start of
    std::string text_;
    size_t sentReasoning_ = 0;
    size_t sentContent_ = 0;
};

} // namespace thinkbench::inference::serving
