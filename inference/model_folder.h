#pragma once
// A model folder as Hugging Face writes it (config.json, *.safetensors, tokenizer.json and
// tokenizer_config.json), or a .gguf file holding all of that: the one loader behind the CLI's
// commands, the chat and compare panels and the pipeline's checkpoints, so they agree on what a
// model needs and how it fails.

#include "core/model/transformer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

#include <string>

namespace thinkbench::inference {

struct ModelFolder {
    core::Transformer model;
    core::Tokenizer tokenizer;
    core::ChatTemplate chat;
};

// folder: a model folder or a .gguf file. tokenizer: a tokenizer.json or folder to use instead of the model's own;
// chatTemplate: a template name (ChatTemplate::named) instead of the one the tokenizer implies; use: Inference for
// chat, generation, evaluation, serving and GGUF export (weights in place, GGUF's kept quantized), Training where
// the weights are trained or saved. Throws core::Error naming the folder and the missing or malformed file.
ModelFolder loadModelFolder(const std::string& folder, c10::ScalarType dtype, c10::Device device,
                            const std::string& tokenizer = {}, const std::string& chatTemplate = {},
                            core::WeightUse use = core::WeightUse::Training);

} // namespace thinkbench::inference
