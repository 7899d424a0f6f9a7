#pragma once
// Samples travel to rank 0, the one writer: every rank's stored GRPO completions reach the run
// store, in the global batch's group order, so the group view shows a step as one rank would.

#include "core/store/run_store.h"
#include "training/distributed/process_group.h"

#include <vector>

namespace thinkbench::training {

// On rank 0: every rank's `mine` with their group indices made global (a rank's group j is group
// j * ranks + rank of the step), sorted by group; on the other ranks: empty. Without a group:
// `mine` as it is.
std::vector<core::SampleRecord> gatherSamples(ProcessGroup* group, std::vector<core::SampleRecord> mine);

} // namespace thinkbench::training
