#pragma once
// What the commands that run a model (generate, chat, eval) add for a served one: --model takes a
// folder or an OpenAI-compatible endpoint "URL#MODEL"; these give its key and its patience.

#include "inference/chat_model.h"

#include <CLI/CLI.hpp>

namespace thinkbench::cli {

inline constexpr const char* kModelHelp = "Hugging Face model folder or .gguf file, or an OpenAI-compatible endpoint "
                                          "URL#MODEL (e.g. http://127.0.0.1:8080/v1#qwen3)";

inline void addRemoteOptions(CLI::App* cmd, inference::ModelOptions& options)
{
    cmd->add_option("--api-key", options.apiKey, "Bearer key for an endpoint (default: $OPENAI_API_KEY)");
    cmd->add_option("--timeout", options.timeoutSeconds, "Seconds to wait for an endpoint's next bytes")
        ->capture_default_str();
}

} // namespace thinkbench::cli
