#pragma once
// Reasoning steps: how a thought is cut into the units the trace stepper walks and annotations
// point at. The run store keeps annotation step indices, so the cut is the engine's, not a
// widget's: the same reasoning always gives the same steps.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

struct ReasoningStep {
    std::string text; // trimmed
    size_t begin = 0; // bytes into the reasoning
    size_t end = 0;
};

// Paragraphs (separated by a blank line); reasoning written as one paragraph is cut into
// sentences (ending at . ! ? before white space) and lines instead.
std::vector<ReasoningStep> splitReasoningSteps(std::string_view reasoning);

} // namespace thinkbench::core
