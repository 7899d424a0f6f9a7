#include "training/sft_dataset.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace thinkbench::training {

using json = nlohmann::json;

std::vector<Example> readExamples(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw core::Error(path, "", "cannot open the dataset");
    std::vector<Example> out;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        json j;
        try {
            j = json::parse(line);
        } catch (const json::exception& e) {
            throw core::Error(path, "line " + std::to_string(lineNo), e.what());
        }
        const char* promptKey = j.contains("prompt") ? "prompt" : "question";
        const char* responseKey = j.contains("response") ? "response" : "completion";
        if (!j.contains(promptKey) || !j[promptKey].is_string() || !j.contains(responseKey) ||
            !j[responseKey].is_string())
            throw core::Error(path, "line " + std::to_string(lineNo),
                              "needs string fields prompt (or question) and response (or completion)");
        out.push_back({j[promptKey].get<std::string>(), j[responseKey].get<std::string>()});
    }
    return out;
}

void writeExamples(const std::filesystem::path& path, const std::vector<Example>& examples,
                   const std::vector<core::Problem>& problems)
{
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path);
    for (size_t i = 0; i < examples.size(); ++i)
        out << json{{"prompt", examples[i].prompt},
                    {"response", examples[i].response},
                    {"task", problems[i].task},
                    {"id", problems[i].id}}
                   .dump()
            << "\n";
    if (!out)
        throw core::Error(path.string(), "", "cannot write the dataset");
}

} // namespace thinkbench::training
