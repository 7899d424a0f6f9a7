#pragma once
// Two reasoning traces set step against step (the steps of core/text/reasoning_steps), for
// diffing two responses of a GRPO group: steps they share are aligned with each other, and what
// lies between shared steps is paired row by row, so a changed step sits beside its counterpart.

#include "core/text/reasoning_steps.h"

#include <optional>
#include <vector>

namespace thinkbench::core {

struct AlignedSteps {
    std::optional<size_t> left; // index into the first trace's steps; empty: a step only the second has
    std::optional<size_t> right;
    bool same = false; // both present and equal
};

// A longest common subsequence of equal step texts, then the unmatched runs between two shared
// steps paired in order; the rows keep both traces' step order.
std::vector<AlignedSteps> alignSteps(const std::vector<ReasoningStep>& left, const std::vector<ReasoningStep>& right);

} // namespace thinkbench::core
