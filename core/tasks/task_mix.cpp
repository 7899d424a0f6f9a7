#include "core/tasks/task_mix.h"

#include "core/error.h"
#include "core/random_stream.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace thinkbench::core {

void TaskMix::add(std::unique_ptr<TaskFamily> family, double weight)
{
    families_.push_back(std::move(family));
    weights_.push_back(weight);
}

const TaskFamily& TaskMix::family(const std::string& name) const
{
    for (const auto& f : families_)
        if (f->name() == name)
            return *f;
    throw Error("", "tasks", "no task family \"" + name + "\" in the recipe");
}

std::vector<Problem> TaskMix::problems(Split split, int count, uint64_t seed) const
{
    if (families_.empty())
        throw Error("", "tasks", "the recipe names no tasks");
    const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    std::vector<Problem> out;
    for (size_t i = 0; i < families_.size(); ++i) {
        const int n = std::max(1, int(std::lround(count * weights_[i] / total)));
        auto part = generateProblems(*families_[i], split, n, splitMix(seed + i));
        out.insert(out.end(), part.begin(), part.end());
    }
    std::mt19937_64 rng(splitMix(seed ^ 0x5eed));
    std::shuffle(out.begin(), out.end(), rng);
    if (int(out.size()) > count)
        out.resize(size_t(count));
    return out;
}

} // namespace thinkbench::core
