// Imported problem sets: JSONL or JSON arrays in the field names public math datasets use.

#include "core/error.h"
#include "core/tasks/task.h"
#include "core/tasks/verifier.h"
#include "core/text/trim.h"

#include <fstream>
#include <optional>
#include <sstream>

namespace thinkbench::core {

std::vector<Problem> loadDataset(const std::string& path, DatasetReport& report)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path, "", "cannot read the dataset");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseDataset(buffer.str(), path, report);
}

std::vector<Problem> parseDataset(std::string_view text, const std::string& path, DatasetReport& report)
{
    std::vector<std::pair<int, nlohmann::json>> rows; // (line, object)
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '[') {
        const auto array = nlohmann::json::parse(text, nullptr, false);
        if (array.is_discarded() || !array.is_array())
            throw Error(path, "", "not a valid JSON array");
        for (size_t i = 0; i < array.size(); ++i)
            rows.emplace_back(static_cast<int>(i + 1), array[i]);
    } else {
        std::stringstream lines{std::string(text)};
        std::string line;
        for (int number = 1; std::getline(lines, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            auto row = nlohmann::json::parse(line, nullptr, false);
            if (row.is_discarded()) {
                ++report.skipped;
                report.problems.push_back(path + ":" + std::to_string(number) + ": invalid JSON");
                continue;
            }
            rows.emplace_back(number, row);
        }
    }
    std::vector<Problem> problems;
    const bool isArray = first != std::string::npos && text[first] == '[';
    for (const auto& entry : rows) {
        const int number = entry.first; // named, not bound: clang 14 cannot capture a structured binding
        const nlohmann::json& row = entry.second;
        const std::string where = path + (isArray ? ": item " : ":") + std::to_string(number);
        auto field = [&](std::initializer_list<const char*> names) -> std::optional<std::string> {
            for (const char* name : names)
                if (row.is_object() && row.contains(name)) {
                    const auto& v = row[name];
                    if (v.is_string())
                        return v.get<std::string>();
                    if (v.is_number())
                        return v.dump();
                }
            return std::nullopt;
        };
        const auto question = field({"question", "problem", "prompt"});
        auto answer = field({"answer", "final_answer"});
        if (!answer)
            if (const auto solution = field({"solution"}))
                answer = lastBoxed(*solution).value_or(*solution);
        if (!question || !answer) {
            ++report.skipped;
            report.problems.push_back(
                where + ": " +
                (!question ? "missing field question/problem/prompt" : "missing field answer/final_answer/solution"));
            continue;
        }
        Problem p;
        p.task = "dataset";
        p.prompt = trimmed(*question);
        p.truth = trimmed(*answer);
        p.id = field({"id", "unique_id"}).value_or(std::to_string(number));
        problems.push_back(std::move(p));
    }
    report.loaded = static_cast<int>(problems.size());
    return problems;
}

} // namespace thinkbench::core
