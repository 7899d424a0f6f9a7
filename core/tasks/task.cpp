#include "core/tasks/task.h"

#include "core/error.h"
#include "core/tasks/random_draws.h"
#include "core/tasks/task_families.h"
#include "core/text/think_tags.h"

#include <functional>
#include <set>
#include <sstream>

namespace thinkbench::core {

Split splitOf(const Problem& p)
{
    return std::hash<std::string>{}(p.task + "\n" + p.prompt) % 8 == 0 ? Split::HeldOut : Split::Train;
}

std::unique_ptr<TaskFamily> makeTask(const std::string& name, const nlohmann::json& options)
{
    const std::string spec = "task " + name;
    if (name == "arithmetic")
        return makeArithmetic(options, spec);
    if (name == "countdown")
        return makeCountdown(options, spec);
    if (name == "linear")
        return makeLinear(options, spec);
    if (name == "knights")
        return makeKnights(options, spec);
    throw Error(spec, "", "unknown task family (arithmetic, countdown, linear, knights)");
}

std::unique_ptr<TaskFamily> makeTask(std::string_view spec)
{
    const std::string text(spec);
    const size_t colon = text.find(':');
    nlohmann::json options = nlohmann::json::object();
    if (colon != std::string::npos) {
        std::stringstream in(text.substr(colon + 1));
        std::string pair;
        while (std::getline(in, pair, ',')) {
            const size_t eq = pair.find('=');
            if (eq == std::string::npos)
                throw Error(text, pair, "expected key=value");
            const std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
            const bool numeric = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
            options[key] = numeric ? nlohmann::json(std::stoi(value)) : nlohmann::json(value);
        }
    }
    return makeTask(text.substr(0, colon), options);
}

std::vector<Problem> generateProblems(const TaskFamily& family, Split split, int count, uint64_t seed)
{
    Rng rng(seed * 0x9E3779B97F4A7C15ull + (split == Split::HeldOut ? 1 : 0));
    std::vector<Problem> out;
    std::set<std::string> seen;
    for (int attempts = 0; static_cast<int>(out.size()) < count && attempts < count * 200; ++attempts) {
        Problem p = family.generate(rng);
        if (splitOf(p) != split || !seen.insert(p.prompt).second)
            continue;
        p.id = family.name() + "-" + std::to_string(std::hash<std::string>{}(p.prompt) % 1000000007);
        out.push_back(std::move(p));
    }
    return out;
}

std::string formatTrace(const std::string& reasoning, const std::string& answer)
{
    return std::string(kThinkOpen) + "\n" + reasoning + std::string(kThinkClose) + "\n" + std::string(kAnswerOpen) +
           answer + std::string(kAnswerClose);
}

} // namespace thinkbench::core
