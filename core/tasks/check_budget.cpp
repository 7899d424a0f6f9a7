#include "core/tasks/check_budget.h"

namespace thinkbench::core {

namespace {
thread_local CheckBudget* current = nullptr;
}

CheckBudget::CheckBudget(int64_t steps)
    : steps_(steps)
    , left_(steps)
    , outermost_(current == nullptr)
{
    if (outermost_)
        current = this;
}

CheckBudget::~CheckBudget()
{
    if (outermost_)
        current = nullptr;
}

void CheckBudget::spend(int64_t steps)
{
    if (current == nullptr)
        return;
    current->left_ -= steps;
    if (current->left_ < 0)
        throw CheckBudgetExhausted();
}

} // namespace thinkbench::core
