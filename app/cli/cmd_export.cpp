#include "app/cli/commands.h"
#include "core/error.h"
#include "core/gguf/gguf_export.h"
#include "inference/model_folder.h"

#include <torch/torch.h>

#include <iostream>
#include <memory>

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
    cmd->add_option("--type", o->type,
                    "f32, f16, bf16, q8_0, or q4_k_m: Q4_K with Q6_K for the output head and for attn_v "
                    "and ffn_down in the first and last eighth of the layers and every third between; "
                    "rows not whole Q4_K/Q6_K blocks as Q5_0/Q8_0")
        ->capture_default_str();
    cmd->add_option("--tokenizer", o->tokenizer,
                    "tokenizer.json, a model folder or a .gguf file (default: the model's)");
    cmd->callback([o] {
        const auto type = core::ggufExportTypeNamed(o->type);
        if (!type)
            throw core::Error("--type", "", "\"" + o->type + "\" is not f32, f16, bf16, q8_0 or q4_k_m");
        const inference::ModelFolder folder = inference::loadModelFolder(o->model, at::kFloat, at::kCPU, o->tokenizer);
        core::exportGguf(folder.model, &folder.tokenizer, o->output, *type);
        std::cout << o->output << "\n";
    });
}

} // namespace thinkbench::cli
