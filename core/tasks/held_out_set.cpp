#include "core/tasks/held_out_set.h"

#include "core/error.h"
#include "core/random_stream.h"
#include "core/tasks/task_mix.h"

#include <algorithm>

namespace thinkbench::core {

namespace {

// Evaluation problems use their own streams, apart from the training draws of the same seed.
constexpr uint64_t kHeldOutSeedOffset = 99;

} // namespace

std::vector<Problem> drawHeldOut(const HeldOutSet& set, uint64_t seed, const TaskMix* mix, DatasetReport* report)
{
    if (!set.dataset.empty()) {
        DatasetReport ignored;
        auto problems = loadDataset(set.dataset, report ? *report : ignored);
        if (set.limit > 0 && int(problems.size()) > set.limit)
            problems.resize(size_t(set.limit));
        return problems;
    }
    if (set.tasks.empty()) {
        if (!mix)
            throw Error("", "tasks", "no task or dataset to draw held-out problems from");
        return mix->problems(Split::HeldOut, set.limit, splitMix(seed + kHeldOutSeedOffset));
    }
    std::vector<Problem> out;
    for (size_t i = 0; i < set.tasks.size(); ++i) {
        auto part = generateProblems(*makeTask(set.tasks[i]), Split::HeldOut,
                                     std::max<int>(1, set.limit / int(set.tasks.size())),
                                     splitMix(seed + kHeldOutSeedOffset + i));
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

} // namespace thinkbench::core
