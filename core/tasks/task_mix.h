#pragma once
// A task mix: problems drawn from several task families in proportion to their weights, as a
// recipe's [[tasks]] list names them.

#include "core/tasks/task.h"

#include <memory>
#include <string>
#include <vector>

namespace thinkbench::core {

class TaskMix {
public:
    void add(std::unique_ptr<TaskFamily> family, double weight);
    bool empty() const { return families_.empty(); }
    // Throws core::Error when the mix has no family of that name.
    const TaskFamily& family(const std::string& name) const;
    // `count` problems of the split, each family's share rounded (at least one each), shuffled.
    std::vector<Problem> problems(Split split, int count, uint64_t seed) const;

private:
    std::vector<std::unique_ptr<TaskFamily>> families_;
    std::vector<double> weights_;
};

} // namespace thinkbench::core
