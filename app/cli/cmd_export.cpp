#include "app/cli/commands.h"
#include "app/cli/progress_output.h"
#include "core/error.h"
#include "core/gguf/gguf_export.h"
#include "inference/model_folder.h"
#include "inference/threads.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace thinkbench::cli {

void addExportCommand(CLI::App& app, GlobalOptions&)
{
    struct Options {
        std::string model, output, type = "f16", tokenizer;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("export-gguf", "Write a model and its tokenizer as a GGUF file (llama.cpp, "
                                                  "LM Studio, Ollama)");
    cmd->add_option("--model", o->model, "Hugging Face model folder, checkpoint or .gguf file")->required();
    cmd->add_option("--output", o->output, ".gguf file to write")->required();
    cmd->add_option(
           "--type", o->type,
           "f32, f16, bf16, q8_0, or q4_k_m (any case: Q4_K_M): Q4_K with Q6_K for the output head and for attn_v "
           "and ffn_down in the first and last eighth of the layers and every third between; "
           "rows not whole Q4_K/Q6_K blocks as Q5_0/Q8_0")
        ->capture_default_str();
    cmd->add_option("--tokenizer", o->tokenizer,
                    "tokenizer.json, a model folder or a .gguf file (default: the model's)");
    cmd->callback([o] {
        const auto type = core::ggufExportTypeNamed(o->type);
        if (!type)
            throw core::Error("--type", "", "\"" + o->type + "\" is not f32, f16, bf16, q8_0 or q4_k_m");
        inference::configureCpuThreads(at::kCPU);
        // Weights stay as stored (GGUF blocks, a bf16 folder's bf16) in the page cache, each read only as
        // it is written, a piece of rows at a time, and given back after: an export holds about its
        // largest tensor of the input, and a model larger than memory exports.
        const inference::ModelFolder folder =
            inference::loadModelFolder(o->model, at::kFloat, at::kCPU, o->tokenizer, {}, core::WeightUse::Export);
        // A line at once: the first tensors of a large model (the embedding, the head) take a while.
        std::fprintf(stderr, "writing %s as %s\n", o->output.c_str(), o->type.c_str());
        ProgressOutput progress{.tty = isatty(fileno(stderr)) != 0, .lastLine = std::chrono::steady_clock::now()};
        core::exportGguf(folder.model, &folder.tokenizer, o->output, *type,
                         [&](int64_t written, int64_t total, const std::string& tensor) {
                             if (written < total && !progress.printsStep())
                                 return;
                             std::fprintf(stderr, "%s%.0f of %.0f MB written (%s)%s", progress.tty ? "\r" : "",
                                          written / 1e6, total / 1e6, tensor.c_str(), progress.tty ? "\033[K" : "\n");
                             if (progress.tty && written == total)
                                 std::fprintf(stderr, "\n");
                         });
        std::cout << o->output << "\n";
    });
}

} // namespace thinkbench::cli
