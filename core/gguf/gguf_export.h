#pragma once
// A model (and its tokenizer) written as a GGUF file llama.cpp, LM Studio and Ollama open: the
// architecture's keys as llama.cpp's converter writes them, tensors under llama.cpp's names (llama's
// Q and K rows permuted for its rope), 1-D tensors F32 and the matrices in the type asked for.

#include "core/gguf/gguf_types.h"
#include "core/model/transformer.h"
#include "core/tokenizer/tokenizer.h"

#include <string>

namespace thinkbench::core {

// type: F32, F16, BF16 or Q8_0 (matrices whose rows are not whole Q8_0 blocks are written F16, as
// the converter does). tokenizer may be null (a file without one). qwen2 and llama models only;
// another architecture is a core::Error naming the path.
void exportGguf(const Transformer& model, const Tokenizer* tokenizer, const std::string& path, GgmlType type);

} // namespace thinkbench::core
