#pragma once
// Held-out evaluation with its problems split across the ranks: each evaluates a contiguous run of
// whole batches, as one rank batches them (problem i seeded seed + i), and every rank receives
// every problem's result, so the summary is the whole set's everywhere.

#include "inference/eval.h"
#include "training/distributed/process_group.h"

#include <atomic>
#include <vector>

namespace thinkbench::training {

inference::EvalResult evaluateAcrossRanks(ProcessGroup* group, const core::Transformer& model,
                                          const core::Tokenizer& tokenizer, const std::vector<core::Problem>& problems,
                                          const inference::EvalOptions& options, const std::atomic<bool>* cancel);

} // namespace thinkbench::training
