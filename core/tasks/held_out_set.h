#pragma once
// The held-out problems a model is evaluated on. The pipeline's eval stages, `thinkbench-cli eval`
// and the compare panel draw them here, so one seed and one source give the same problems
// everywhere: `eval --task T --seed S` scores the problems a recipe with seed S evaluates on
// with `tasks = ["T"]`.

#include "core/tasks/task.h"

#include <string>
#include <vector>

namespace thinkbench::core {

class TaskMix;

struct HeldOutSet {
    std::vector<std::string> tasks; // task specs, e.g. "arithmetic:digits=2"
    std::string dataset;            // or a JSONL file of problems
    int limit = 64;                 // problems in all (0: a dataset's every problem)
};

// The set's problems: the dataset's first `limit`, or `limit` spread over the tasks (their
// held-out split), or with neither the mix's held-out split. Dataset lines that do not parse are
// reported in `report` when given.
std::vector<Problem> drawHeldOut(const HeldOutSet& set, uint64_t seed, const TaskMix* mix = nullptr,
                                 DatasetReport* report = nullptr);

} // namespace thinkbench::core
