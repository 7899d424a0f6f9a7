#pragma once
// A model (and its tokenizer) written as a GGUF file llama.cpp, LM Studio and Ollama open: the
// architecture's keys as llama.cpp's converter writes them, tensors under llama.cpp's names (llama's
// Q and K rows permuted for its rope; DeepSeek's routed experts stacked per layer and kv_b_proj
// split into attn_k_b and attn_v_b), 1-D tensors and MoE routers F32 and the matrices in the type
// asked for.

#include "core/gguf/gguf_types.h"
#include "core/gguf/gguf_writer.h"
#include "core/model/transformer.h"
#include "core/tokenizer/tokenizer.h"

#include <optional>
#include <string>

namespace thinkbench::core {

// What the matrices are written as. F32, F16, BF16, Q8_0: every matrix (Q8_0 rows that are not
// whole blocks of 32 as F16, as the converter does). Q4_K_M, after llama.cpp's mix of that name:
// Q4_K, except Q6_K for the output head (token_embd when tied) and for attn_v (MLA: attn_v_b) and
// ffn_down (dense, shared and routed experts) in the layers llama.cpp gives more bits (the first
// and last eighth and every third layer between); rows that are not whole 256-element blocks fall
// back as llama.cpp's do, Q4_K to Q5_0 and Q6_K to Q8_0, and to F16 when not whole blocks of 32.
enum class GgufExportType { F32, F16, BF16, Q8_0, Q4_K_M };

// "f32", "f16", "bf16", "q8_0" or "q4_k_m", in any case ("Q4_K_M"); nullopt for another name.
std::optional<GgufExportType> ggufExportTypeNamed(const std::string& name);

// tokenizer may be null (a file without one). qwen2, llama and deepseek_v3 models, loaded for
// training, inference or, holding least, WeightUse::Export (each weight read only when written, its
// pages given back after); another architecture, or a config llama.cpp's keys cannot state, is a
// core::Error naming the path, as is a weight that cannot be encoded, and then the path keeps what
// it held. progress is told after each tensor written.
void exportGguf(const Transformer& model, const Tokenizer* tokenizer, const std::string& path, GgufExportType type,
                const GgufWriter::Progress& progress = {});

} // namespace thinkbench::core
