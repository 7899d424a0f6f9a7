// The linear-equations family: one unknown on both sides, a rational solution.

#include "core/tasks/exact.h"
#include "core/tasks/random_draws.h"
#include "core/tasks/task_families.h"
#include "core/tasks/task_options.h"

#include <cstdlib>
#include <sstream>

namespace thinkbench::core {

namespace {

// a x + b = c x + d with a rational solution.
class Linear : public TaskFamily {
public:
    explicit Linear(std::pair<int, int> coef)
        : coef_(coef)
    {
    }
    std::string name() const override { return "linear"; }

    Problem generate(Rng& rng) const override
    {
        int a, c;
        do {
            a = uniform(rng, -coef_.second, coef_.second);
            c = uniform(rng, -coef_.second, coef_.second);
        } while (a == c || a == 0);
        const int b = uniform(rng, -20, 20), d = uniform(rng, -20, 20);
        const Rational x = Rational(d - b) / Rational(a - c);
        auto side = [](int coefficient, int constant) {
            std::string s;
            if (coefficient != 0)
                s = (coefficient == 1 ? "" : coefficient == -1 ? "-" : std::to_string(coefficient)) + "x";
            if (constant != 0 || s.empty())
                s += s.empty() ? std::to_string(constant)
                               : (constant < 0 ? " - " : " + ") + std::to_string(std::abs(constant));
            return s;
        };
        Problem p;
        p.task = name();
        p.prompt = "Solve for x: " + side(a, b) + " = " + side(c, d) + ".";
        p.truth = x.str();
        p.meta = {{"a", a}, {"b", b}, {"c", c}, {"d", d}};
        return p;
    }

    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        const int a = p.meta["a"], b = p.meta["b"], c = p.meta["c"], d = p.meta["d"];
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate))
            return {"x = " + p.truth + ".\n", p.truth};
        t << "Move the x terms to the left and the numbers to the right.\n";
        t << "(" << a << " - " << c << ")x = " << d << " - " << b << ".\n";
        t << a - c << "x = " << d - b << ".\n";
        t << "x = " << d - b << " / " << a - c << " = " << p.truth << ".\n";
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify by substituting x = " << p.truth << " into both sides. They match.\n";
        return {t.str(), p.truth};
    }

private:
    std::pair<int, int> coef_;
};

} // namespace

std::unique_ptr<TaskFamily> makeLinear(const nlohmann::json& options, const std::string& spec)
{
    rejectUnknown(options, spec, {"coef"});
    return std::make_unique<Linear>(parseRange(options.value("coef", nlohmann::json("1-9")), spec, "coef"));
}

} // namespace thinkbench::core
