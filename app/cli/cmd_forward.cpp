#include "app/cli/commands.h"
#include "core/error.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "inference/threads.h"

#include <torch/torch.h>

#include <memory>

namespace thinkbench::cli {

void addForwardCommand(CLI::App& app, GlobalOptions&)
{
    struct Options {
        std::string model, input, tensor = "input_ids", output, dtype = "f32", device = "auto";
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("forward", "Run a model on token ids from a safetensors file and "
                                              "write f32 logits [batch, seq, vocab]");
    cmd->add_option("--model", o->model, "Hugging Face model folder or .gguf file")->required();
    cmd->add_option("--input", o->input, "safetensors file holding the ids")->required();
    cmd->add_option("--tensor", o->tensor, "Name of the ids tensor")->capture_default_str();
    cmd->add_option("--output", o->output, "safetensors file to write (tensor \"logits\")")->required();
    cmd->add_option("--dtype", o->dtype, "f32, bf16 or f16")->capture_default_str();
    cmd->add_option("--device", o->device, "cpu, cuda or auto")->capture_default_str();
    cmd->callback([o] {
        const at::ScalarType dtype = inference::parseDtype(o->dtype, "--dtype");
        const at::Device device = inference::parseDevice(o->device, "--device");
        const core::SafetensorsFile input(o->input);
        if (!input.contains(o->tensor))
            throw core::Error(o->input, "tensor " + o->tensor, "not in the file");
        const at::Tensor ids = input.tensor(o->tensor).to(at::kLong);
        if (ids.dim() != 2)
            throw core::Error(o->input, "tensor " + o->tensor, "must be [batch, seq]");
        const core::Transformer model = core::Transformer::load(o->model, dtype, device, core::WeightUse::Inference);
        inference::configureCpuThreads(device);
        if (ids.max().item<int64_t>() >= model.config().vocab_size || ids.min().item<int64_t>() < 0)
            throw core::Error(o->input, "tensor " + o->tensor, "holds ids outside the vocabulary");
        torch::NoGradGuard noGrad;
        const at::Tensor logits = model.forward(ids.to(device)).logits.to(at::kFloat).cpu();
        core::writeSafetensors(o->output, {{"logits", logits}});
    });
}

} // namespace thinkbench::cli
