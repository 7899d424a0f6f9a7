#pragma once
// Problems with a ground truth: built-in procedural task families (seeded, with difficulty knobs)
// and imported JSONL/JSON datasets. A family also writes worked solutions: short step-by-step
// <think> traces used for the demo's pre-training corpus and cold-start data (format: TRACES.md).

#include <nlohmann/json.hpp>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

struct Problem {
    std::string id;
    std::string task; // family name, or "dataset"
    std::string prompt;
    std::string truth; // countdown: "target|n1,n2,..."
    nlohmann::json meta = nlohmann::json::object();
};

enum class Split { Train, HeldOut };
// Decided by a hash of the problem's task and prompt, so the same problem always lands in the same
// split and train and held-out never share one. About 1 in 8 problems is held out.
Split splitOf(const Problem& problem);

struct TraceStyle {
    double selfCheckRate = 0.5; // "Let me verify: ..." lines
    double mistakeRate = 0.1;   // a wrong step caught with "Wait, ..."
    // The result alone, without working: how many answers appear in a base model's corpus.
    double answerOnlyRate = 0.0;
};

class TaskFamily {
public:
    virtual ~TaskFamily() = default;
    virtual std::string name() const = 0;
    virtual Problem generate(std::mt19937_64& rng) const = 0;
    // The reasoning (without tags) and the final answer of a worked solution.
    virtual std::pair<std::string, std::string> solve(const Problem& problem, std::mt19937_64& rng,
                                                      const TraceStyle& style) const = 0;
};

// "arithmetic:digits=1-3,ops=+-*", "countdown:numbers=3,max_number=9,max_target=50", "linear:coef=1-9",
// "knights:people=2-3". Throws core::Error naming the spec and the key.
std::unique_ptr<TaskFamily> makeTask(std::string_view spec);
// The same from a recipe's task entry (options as JSON).
std::unique_ptr<TaskFamily> makeTask(const std::string& name, const nlohmann::json& options);

// `count` distinct problems of one split, deterministic in the seed.
std::vector<Problem> generateProblems(const TaskFamily& family, Split split, int count, uint64_t seed);

// "<think>\n{reasoning}\n</think>\n<answer>{answer}</answer>": the trace a worked solution becomes.
std::string formatTrace(const std::string& reasoning, const std::string& answer);

struct DatasetReport {
    int loaded = 0;
    int skipped = 0;
    std::vector<std::string> problems; // "file:line: field: message" per skipped entry
};
// JSONL (one object per line) or a JSON array; fields question|problem|prompt and
// answer|final_answer|solution (a solution's last \boxed{} is its answer), optional id.
std::vector<Problem> loadDataset(const std::string& path, DatasetReport& report);
// The same from the file's bytes; `path` names it in the report and errors.
std::vector<Problem> parseDataset(std::string_view text, const std::string& path, DatasetReport& report);

} // namespace thinkbench::core
