#pragma once
// The hard limit on the work of one answer check, so that no sampled response can hang or crash
// a run (10^10^10^10, a million digits, 100,000 nested braces). It counts steps, not time: the
// verdict is the same on a loaded machine and a quiet one, and it needs no signal (SIGALRM), so
// checks run on any thread. Each thread has its own budget; the outermost check installs it.

#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace thinkbench::core {

// Answers and truths longer than this are never evaluated (std::regex recurses per character:
// ~250 bytes of stack each, so 1,000 bytes stay far inside any thread's stack).
inline constexpr size_t kMaxAnswerBytes = 1000;
// Brackets, \frac, \sqrt, signs and powers nested deeper than this are not an answer.
inline constexpr int kMaxAnswerNesting = 64;
// Steps of one check: a parsed token, a product of two exact terms, a trial division, a byte
// scanned. The slowest answer of the math-verify corpus takes a few hundred.
inline constexpr int64_t kCheckSteps = 1'000'000;

struct CheckBudgetExhausted : std::runtime_error {
    CheckBudgetExhausted()
        : std::runtime_error("answer check over budget")
    {
    }
};

class CheckBudget {
public:
    // Installs itself as this thread's budget unless an outer check already did.
    explicit CheckBudget(int64_t steps = kCheckSteps);
    ~CheckBudget();
    CheckBudget(const CheckBudget&) = delete;
    CheckBudget& operator=(const CheckBudget&) = delete;

    bool outermost() const { return outermost_; }
    int64_t used() const { return steps_ - left_; }

    // Takes steps from this thread's budget; throws CheckBudgetExhausted when it runs out. Without
    // an installed budget (exact arithmetic used directly) it costs nothing.
    static void spend(int64_t steps = 1);

private:
    int64_t steps_, left_;
    bool outermost_;
};

// Runs check under this thread's budget. The outermost check turns exhaustion into `exhausted`;
// inner ones let it through, so no caller falls back to a weaker comparison on a cut-off check.
template <class Check, class Result> Result underCheckBudget(Check&& check, Result exhausted)
{
    CheckBudget budget;
    if (!budget.outermost())
        return check();
    try {
        return check();
    } catch (const CheckBudgetExhausted&) {
        return exhausted;
    }
}

} // namespace thinkbench::core
