// The knights-and-knaves family: logic puzzles with exactly one consistent assignment.

#include "core/error.h"
#include "core/tasks/random_draws.h"
#include "core/tasks/task_families.h"
#include "core/tasks/task_options.h"

#include <sstream>
#include <vector>

namespace thinkbench::core {

namespace {

// Knights always tell the truth, knaves always lie; exactly one assignment fits the statements.
class Knights : public TaskFamily {
public:
    explicit Knights(std::pair<int, int> people)
        : people_(people)
    {
    }
    std::string name() const override { return "knights"; }

    struct Statement {
        int kind; // 0: "X is a knight", 1: "X is a knave", 2: "X and Y are the same kind"
        int x, y;
    };

    static bool holds(const Statement& s, unsigned mask)
    {
        const bool kx = mask >> s.x & 1, ky = mask >> s.y & 1;
        return s.kind == 0 ? kx : s.kind == 1 ? !kx : kx == ky;
    }

    Problem generate(Rng& rng) const override
    {
        static const char* names[] = {"Ann", "Bob", "Cy", "Dee"};
        while (true) {
            const int n = uniform(rng, people_.first, people_.second);
            std::vector<Statement> says;
            for (int i = 0; i < n; ++i) {
                int x = uniform(rng, 0, n - 1), y = uniform(rng, 0, n - 1);
                if (x == i)
                    x = (x + 1) % n;
                if (y == x)
                    y = (y + 1) % n;
                says.push_back({uniform(rng, 0, 2), x, y});
            }
            std::vector<unsigned> solutions;
            for (unsigned mask = 0; mask < (1u << n); ++mask) {
                bool fits = true;
                for (int i = 0; i < n; ++i)
                    fits &= holds(says[static_cast<size_t>(i)], mask) == static_cast<bool>(mask >> i & 1);
                if (fits)
                    solutions.push_back(mask);
            }
            if (solutions.size() != 1)
                continue;
            std::ostringstream prompt, truth;
            prompt << "On an island, knights always tell the truth and knaves always lie.";
            nlohmann::json statements = nlohmann::json::array();
            for (int i = 0; i < n; ++i) {
                const Statement& s = says[static_cast<size_t>(i)];
                std::string text = s.kind == 0 ? std::string(names[s.x]) + " is a knight"
                                   : s.kind == 1
                                       ? std::string(names[s.x]) + " is a knave"
                                       : std::string(names[s.x]) + " and " + names[s.y] + " are the same kind";
                prompt << " " << names[i] << " says: \"" << text << ".\"";
                statements.push_back({{"kind", s.kind}, {"x", s.x}, {"y", s.y}});
                truth << (i ? ", " : "") << names[i] << ": " << ((solutions[0] >> i & 1) ? "knight" : "knave");
            }
            prompt << " Who is a knight and who is a knave?";
            Problem p;
            p.task = name();
            p.prompt = prompt.str();
            p.truth = truth.str();
            p.meta = {{"n", n}, {"statements", statements}, {"solution", solutions[0]}};
            return p;
        }
    }

    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        static const char* names[] = {"Ann", "Bob", "Cy", "Dee"};
        const int n = p.meta["n"];
        const unsigned solution = p.meta["solution"];
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate))
            return {p.truth + ".\n", p.truth};
        for (unsigned mask = 0; mask < (1u << n); ++mask) {
            t << "Suppose";
            for (int i = 0; i < n; ++i)
                t << (i ? "," : "") << " " << names[i] << " is a " << ((mask >> i & 1) ? "knight" : "knave");
            t << (mask == solution ? ". Every statement fits.\n" : ". A statement contradicts this.\n");
            if (mask == solution)
                break;
        }
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify each statement once more. They all hold.\n";
        return {t.str(), p.truth};
    }

private:
    std::pair<int, int> people_;
};

} // namespace

std::unique_ptr<TaskFamily> makeKnights(const nlohmann::json& options, const std::string& spec)
{
    rejectUnknown(options, spec, {"people"});
    const auto people = parseRange(options.value("people", nlohmann::json("2-3")), spec, "people");
    if (people.second > 4)
        throw Error(spec, "people", "at most 4");
    return std::make_unique<Knights>(people);
}

} // namespace thinkbench::core
