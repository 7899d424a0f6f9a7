#pragma once
// Deciding "correct": extract the final answer from a response (recording which rule fired) and
// compare it with the ground truth exactly: numbers and expressions as exact values, sets without
// order, tuples and intervals in order, matrices cell by cell, "x = 5" as its value, text without
// case or spacing, multiple-choice letters.

#include "core/tasks/answer_extraction.h"

#include <string>
#include <string_view>

namespace thinkbench::core {

// Whether two answers mean the same (see the header comment). No float tolerance anywhere.
bool equivalent(std::string_view answer, std::string_view truth);

struct Verdict {
    bool correct = false;
    std::string extracted;
    ExtractionRule rule = ExtractionRule::None;
    bool overBudget = false; // too long or too costly to check (check_budget.h): counted wrong
};

// task: a task family name; "countdown" checks an expression against its numbers and target
// (truth "target|n1,n2,..."); anything else compares answers.
Verdict verify(std::string_view response, std::string_view truth, std::string_view task = "");

} // namespace thinkbench::core
