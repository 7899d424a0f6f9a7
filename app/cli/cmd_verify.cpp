#include "app/cli/commands.h"
#include "core/error.h"
#include "core/tasks/verifier.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace thinkbench::cli {

void addVerifyCommand(CLI::App& app, GlobalOptions&)
{
    auto* cmd =
        app.add_subcommand("verify", "Check responses: JSON lines {response, truth[, task]} in, {correct, extracted, "
                                     "rule, over_budget} out; a malformed line stops with its line number");
    cmd->callback([] {
        std::string line;
        for (int64_t number = 1; std::getline(std::cin, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            const std::string place = "line " + std::to_string(number);
            const auto row = nlohmann::json::parse(line, nullptr, false);
            if (row.is_discarded() || !row.is_object())
                throw core::Error("stdin", place, "not a JSON object");
            for (const char* field : {"response", "truth"})
                if (!row.contains(field) || !row[field].is_string())
                    throw core::Error("stdin", place + ", field " + field, "must be a string");
            const std::string task = row.value("task", std::string());
            const auto verdict =
                core::verify(row["response"].get<std::string>(), row["truth"].get<std::string>(), task);
            std::cout << nlohmann::json{{"correct", verdict.correct},
                                        {"extracted", verdict.extracted},
                                        {"rule", core::extractionRuleName(verdict.rule)},
                                        {"over_budget", verdict.overBudget}}
                             .dump()
                      << "\n";
        }
    });
}

} // namespace thinkbench::cli
