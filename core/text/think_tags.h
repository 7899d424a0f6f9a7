#pragma once
// The R1 response format: reasoning inside <think> … </think>, then the answer. Every part of
// ThinkBench that looks for the thought (rewards, generation, chat templates, the panels) splits
// it here, so they cannot disagree about where reasoning ends.

#include <cstddef>
#include <string>
#include <string_view>

namespace thinkbench::core {

inline constexpr std::string_view kThinkOpen = "<think>";
inline constexpr std::string_view kThinkClose = "</think>";
// The R1-Zero template's answer tags, after the thought.
inline constexpr std::string_view kAnswerOpen = "<answer>";
inline constexpr std::string_view kAnswerClose = "</answer>";

struct ReasoningSplit {
    std::string reasoning; // trimmed
    std::string answer;    // trimmed
    bool closed = false;   // a </think> was seen
    // Where the reasoning ends in the completion: the offset of the first </think>, or the
    // completion's length when the thought never closes (npos when there is no thought at all).
    size_t reasoningEnd = std::string::npos;
};

// Where a chat template puts the answer after the thought.
enum class AnswerPlacement {
    AnswerTag,  // R1-Zero template: the answer sits in <answer>...</answer> after </think>
    AfterThink, // R1 distill template: the answer is whatever follows </think>
};

// The shape a chat template gives completions, and the generation's limit in tokens.
struct ResponseFormat {
    AnswerPlacement placement = AnswerPlacement::AnswerTag;
    bool promptOpensThinking = false; // the completion starts inside <think>
    int maxTokens = 256;
};

// Text before the first </think> is reasoning (also when the prompt already opened <think>); a
// leading <think> in the completion is dropped; without </think>, an opened thought is all
// reasoning and anything else all answer.
ReasoningSplit splitReasoning(std::string_view completion, bool promptOpensThinking);

// True when a prompt ends inside an opened thought (templates such as DeepSeek-R1's end the
// generation prompt with "<think>\n"), so the completion starts with reasoning.
bool promptOpensThinking(std::string_view prompt);

// Occurrences of a tag (or any text) in `text`.
size_t countOccurrences(std::string_view text, std::string_view tag);

// What follows the last </think>, without the line breaks after it: an assistant turn as chat
// templates replay it in later turns. Text without a thought is returned as it is.
std::string stripReasoning(std::string_view content);

} // namespace thinkbench::core
