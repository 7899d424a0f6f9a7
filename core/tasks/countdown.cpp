// The countdown family: reach a target from given numbers with + - * /, each used at most once.

#include "core/error.h"
#include "core/tasks/random_draws.h"
#include "core/tasks/task_families.h"
#include "core/tasks/task_options.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>
#include <vector>

namespace thinkbench::core {

namespace {

// One left-to-right countdown step, kept to positive integers: nullopt where `op` cannot take it.
std::optional<long long> countdownStep(long long value, char op, long long n)
{
    switch (op) {
    case '+':
        return value + n;
    case '-':
        return value > n ? std::optional(value - n) : std::nullopt;
    case '*':
        return value * n;
    default:
        return n != 0 && value % n == 0 ? std::optional(value / n) : std::nullopt;
    }
}

// "8 * 2 = 16"
std::string stepText(long long value, char op, long long n, long long result)
{
    return std::to_string(value) + " " + op + " " + std::to_string(n) + " = " + std::to_string(result);
}

// Reach a target from the given numbers with + - * /, each at most once.
class Countdown : public TaskFamily {
public:
    Countdown(int numbers, int maxNumber, int maxTarget)
        : numbers_(numbers)
        , maxNumber_(maxNumber)
        , maxTarget_(maxTarget)
    {
    }
    std::string name() const override { return "countdown"; }

    Problem generate(Rng& rng) const override
    {
        while (true) {
            std::vector<int> nums;
            for (int i = 0; i < numbers_; ++i)
                nums.push_back(uniform(rng, 1, maxNumber_));
            // A random expression over all of them, left to right, keeping integers.
            long long value = nums[0];
            std::string expr = std::to_string(nums[0]);
            std::vector<std::string> steps;
            for (size_t i = 1; i < nums.size(); ++i) {
                const long long n = nums[i];
                // A subtraction that would not stay positive becomes an exact division, else an
                // addition; a division that is not exact becomes an addition.
                char symbol = "+-*/"[uniform(rng, 0, 3)];
                auto next = countdownStep(value, symbol, n);
                if (!next && symbol == '-') {
                    symbol = '/';
                    next = countdownStep(value, symbol, n);
                }
                if (!next) {
                    symbol = '+';
                    next = value + n;
                }
                steps.push_back(stepText(value, symbol, n, *next));
                expr = "(" + expr + " " + symbol + " " + std::to_string(n) + ")";
                value = *next;
            }
            if (value <= 0 || value > maxTarget_)
                continue;
            std::vector<int> shown = nums;
            std::shuffle(shown.begin(), shown.end(), rng);
            std::string list;
            for (int n : shown)
                list += (list.empty() ? "" : ",") + std::to_string(n);
            Problem p;
            p.task = name();
            p.prompt = "Using the numbers [" + list + "], create an equation that equals " + std::to_string(value) +
                       ". Use + - * / and each number at most once.";
            p.truth = std::to_string(value) + "|" + list;
            // Outer parentheses of the first step are not needed.
            p.meta = {{"solution", expr.substr(1, expr.size() - 2)}, {"steps", steps}};
            return p;
        }
    }

    // A short search: up to three left-to-right attempts that miss the target, each checked and
    // rejected, then the one that reaches it. Checking each attempt is what makes searching pay.
    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        const long long target = std::stoll(p.truth.substr(0, p.truth.find('|')));
        const std::string solution = p.meta["solution"];
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate)) {
            t << solution << " = " << target << ".\n";
            return {t.str(), solution};
        }
        std::vector<int> numbers;
        std::stringstream list(p.truth.substr(p.truth.find('|') + 1));
        for (std::string n; std::getline(list, n, ',');)
            numbers.push_back(std::stoi(n));
        auto misses = attempts(numbers);
        std::erase_if(misses, [&](const Attempt& a) { return a.value == target; });
        std::shuffle(misses.begin(), misses.end(), rng);
        misses.resize(std::min<size_t>(misses.size(), size_t(uniform(rng, 0, 3))));
        for (const auto& miss : misses)
            t << "Try " << miss.steps << ". Wait, " << miss.value << " is not " << target << ".\n";
        t << "Try ";
        for (size_t i = 0; i < p.meta["steps"].size(); ++i)
            t << (i ? ", " : "") << p.meta["steps"][i].get<std::string>();
        t << ". That reaches " << target << ".\n";
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify: " << solution << " = " << target << ". Correct.\n";
        return {t.str(), solution};
    }

private:
    struct Attempt {
        std::string steps; // "3 + 5 = 8, 8 * 2 = 16"
        long long value;
    };

    // Every left-to-right combination of all the numbers that keeps positive integers.
    static std::vector<Attempt> attempts(std::vector<int> numbers)
    {
        std::vector<Attempt> out;
        std::sort(numbers.begin(), numbers.end());
        std::function<void(long long, size_t, std::string)> extend = [&](long long value, size_t next,
                                                                         std::string steps) {
            if (next == numbers.size()) {
                out.push_back({steps, value});
                return;
            }
            const long long n = numbers[next];
            for (const char op : {'+', '-', '*', '/'})
                if (const auto result = countdownStep(value, op, n))
                    extend(*result, next + 1, steps + (steps.empty() ? "" : ", ") + stepText(value, op, n, *result));
        };
        do {
            extend(numbers[0], 1, "");
        } while (std::next_permutation(numbers.begin(), numbers.end()));
        return out;
    }

    int numbers_, maxNumber_, maxTarget_;
};

} // namespace

std::unique_ptr<TaskFamily> makeCountdown(const nlohmann::json& options, const std::string& spec)
{
    rejectUnknown(options, spec, {"numbers", "max_number", "max_target"});
    const int numbers = options.value("numbers", 3), maxNumber = options.value("max_number", 25),
              maxTarget = options.value("max_target", 100);
    if (numbers < 2 || numbers > 6)
        throw Error(spec, "numbers", "must be between 2 and 6");
    if (maxNumber < 2)
        throw Error(spec, "max_number", "must be at least 2");
    if (maxTarget < 1)
        throw Error(spec, "max_target", "must be positive");
    return std::make_unique<Countdown>(numbers, maxNumber, maxTarget);
}

} // namespace thinkbench::core
