#pragma once
// The tiny models and data the pipeline tests train in seconds, one copy for every test that
// writes a recipe: tinyRecipe() puts a test's top-level keys (name, seed, ...) before them and its
// stages after them, as TOML wants top-level keys before the first table.

#include <string>

// A two-layer DeepSeek-V3: MLA, one dense layer, then a MoE layer of 4 routed experts (top 2) and
// a shared one.
inline constexpr const char* kTinyMoeModel = R"(
[model.config]
model_type = "deepseek_v3"
hidden_size = 32
intermediate_size = 64
moe_intermediate_size = 16
num_hidden_layers = 2
first_k_dense_replace = 1
num_attention_heads = 2
num_key_value_heads = 2
q_lora_rank = 0
kv_lora_rank = 16
qk_nope_head_dim = 8
qk_rope_head_dim = 8
v_head_dim = 8
n_routed_experts = 4
num_experts_per_tok = 2
n_shared_experts = 1
max_position_embeddings = 512
tie_word_embeddings = true
)";

// A two-layer dense Qwen2.
inline constexpr const char* kTinyDenseModel = R"(
[model.config]
model_type = "qwen2"
hidden_size = 64
intermediate_size = 128
num_hidden_layers = 2
num_attention_heads = 4
num_key_value_heads = 2
tie_word_embeddings = true
max_position_embeddings = 256
)";

// A 300-token tokenizer with the R1-Zero template, on one-digit addition.
inline constexpr const char* kTinyData = R"(
[tokenizer]
vocab_size = 300
chat_template = "r1_zero"

[[tasks]]
name = "arithmetic"
options = { digits = "1", ops = "+" }
)";

inline std::string tinyRecipe(const std::string& topLevel, const char* model, const std::string& stages)
{
    return topLevel + model + kTinyData + "\n" + stages;
}
