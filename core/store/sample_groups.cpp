#include "core/store/sample_groups.h"

#include <cmath>
#include <map>

namespace thinkbench::core {

std::vector<SampleGroup> groupSamples(const std::vector<SampleRecord>& samples)
{
    std::map<int, SampleGroup> byIndex;
    for (const SampleRecord& s : samples) {
        if (!s.groupIndex)
            continue;
        SampleGroup& g = byIndex[*s.groupIndex];
        g.index = *s.groupIndex;
        g.prompt = s.prompt;
        g.samples.push_back(s);
    }
    std::vector<SampleGroup> groups;
    for (auto& [index, g] : byIndex) {
        double sum = 0;
        for (const SampleRecord& s : g.samples)
            sum += s.reward;
        const double n = double(g.samples.size());
        g.meanReward = sum / n;
        double squares = 0;
        for (const SampleRecord& s : g.samples)
            squares += (s.reward - g.meanReward) * (s.reward - g.meanReward);
        g.rewardStd = std::sqrt(squares / n);
        // The trainer's test (scoreGroups in training/stages/grpo.cpp).
        g.zeroStd = g.rewardStd < 1e-9;
        groups.push_back(std::move(g));
    }
    return groups;
}

std::vector<SampleGroup> stepGroups(const RunStore& store, int64_t run, int64_t step)
{
    return groupSamples(store.samples({.run = run, .step = step}));
}

} // namespace thinkbench::core
