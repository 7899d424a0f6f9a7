#pragma once
// Supervised examples (a prompt and the response to learn) and their JSONL files: what rejection
// sampling and distillation write and SFT reads ({"prompt", "response"}, or "question" and
// "completion" as other tools name them).

#include "core/tasks/task.h"

#include <filesystem>
#include <string>
#include <vector>

namespace thinkbench::training {

struct Example {
    std::string prompt;   // the question, before the chat template
    std::string response; // the completion after the template's generation prompt
};

// Throws core::Error naming the file and line of anything malformed.
std::vector<Example> readExamples(const std::string& path);
// One line per example, with the task and id of the problem it answers.
void writeExamples(const std::filesystem::path& path, const std::vector<Example>& examples,
                   const std::vector<core::Problem>& problems);

} // namespace thinkbench::training
