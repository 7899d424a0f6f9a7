#pragma once
// GRPO groups of a step as the store keeps them: the completions sampled for one prompt, with
// their rewards and advantages. Read with no Qt, so the GUI's group view and any report group and
// judge them the same way.

#include "core/store/run_store.h"

#include <cstdint>
#include <vector>

namespace thinkbench::core {

struct SampleGroup {
    int index = 0; // the prompt's index within its step (SampleRecord::groupIndex)
    std::string prompt;
    std::vector<SampleRecord> samples; // in the order they were sampled
    double meanReward = 0;
    double rewardStd = 0; // population standard deviation of the rewards
    // Every completion got the same reward: every advantage is 0 and the group teaches nothing.
    bool zeroStd = false;
};

// The groups among `samples` (ordered by group index); samples outside a group are left out.
std::vector<SampleGroup> groupSamples(const std::vector<SampleRecord>& samples);

// The groups of one step of a run; empty when none was stored (runs from before schema 3, stages
// other than GRPO, stored_groups = 0).
std::vector<SampleGroup> stepGroups(const RunStore& store, int64_t run, int64_t step);

} // namespace thinkbench::core
