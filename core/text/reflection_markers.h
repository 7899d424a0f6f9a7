#pragma once
// Reflection markers: the words with which a trace re-examines itself ("Wait", "let me check").
// The R1 paper reads their rise during RL as the "aha moment"; the pipeline's reflection_rate
// metric and the trace stepper's highlighting count the same list, found the same way.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

const std::vector<std::string>& reflectionMarkers();

// A marker's place in the text, in bytes.
struct TextSpan {
    size_t begin = 0;
    size_t end = 0;
};

// Every marker in the text, case-insensitive, as whole words, in order and not overlapping
// (the longest marker wins where two start at one place).
std::vector<TextSpan> findReflections(std::string_view text);
inline bool reflects(std::string_view text)
{
    return !findReflections(text).empty();
}

} // namespace thinkbench::core
