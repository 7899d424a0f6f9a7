#pragma once
// The tokenizer of a GGUF file, rebuilt from its tokenizer.ggml.* keys as the tokenizer.json and
// tokenizer_config.json Hugging Face ships for the same model (GPT-2 style byte-level BPE: tokens,
// token types, merges, the pre-tokenizer named by tokenizer.ggml.pre, special token ids and the
// chat template), then read by the one tokenizer.json reader, so encoding runs the same code.

#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"
#include "core/tokenizer/tokenizer.h"

namespace thinkbench::core {

// Throws core::Error naming the file and the key for a missing, malformed or unsupported field
// (a tokenizer model other than gpt2, a pre-tokenizer not in the table).
Tokenizer ggufTokenizer(const GgufFile& file);

// What every option naming a tokenizer accepts: a tokenizer.json, a model folder holding one (with
// its tokenizer_config.json), or a .gguf file.
Tokenizer openTokenizer(const std::string& path);

// The other way: a tokenizer's tokenizer.ggml.* keys and chat template, as llama.cpp's converter
// writes them (added tokens CONTROL when special, USER_DEFINED otherwise; missing ids, and ids up to
// `rows` the embedding has beyond the tokenizer's, as unused "[PADn]": llama.cpp refuses a token
// list shorter than token_embd). Throws core::Error naming the tokenizer's file when its
// pre-tokenizer has no GGUF name.
void addTokenizerMetadata(GgufWriter& writer, const Tokenizer& tokenizer, int rows = 0);

} // namespace thinkbench::core
