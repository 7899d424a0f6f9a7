#pragma once
// One config for every architecture, read straight from a Hugging Face config.json. Field names
// are Hugging Face's (and the DeepSeek-V3 paper's), so the paper and HF's docs document them.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace thinkbench::core {

// Architecture differences as data: derived from model_type and config fields when parsing.
enum class AttentionKind { Gqa, Mla };
enum class ScoringFunction { Sigmoid, Softmax };

// The config.json name of a scoring function: "sigmoid" or "softmax".
const char* scoringFunctionName(ScoringFunction f);

struct ModelConfig {
    std::string model_type;                       // qwen2 | llama | deepseek_v3
    AttentionKind attention = AttentionKind::Gqa; // from model_type: deepseek_v3 is MLA
    int vocab_size = 0;
    int hidden_size = 0;
    int intermediate_size = 0;
    int num_hidden_layers = 0;
    int num_attention_heads = 0;
    int num_key_value_heads = 0;
    int head_dim = 0; // GQA head size; defaults to hidden_size / num_attention_heads
    int max_position_embeddings = 2048;
    double rms_norm_eps = 1e-6;
    double initializer_range = 0.02;
    bool tie_word_embeddings = false;
    bool attention_bias = false; // q/k/v biases (always on for qwen2)
    // o_proj.bias: attention_bias, except qwen2's biases are on q/k/v only. Derived, not in config.json.
    bool attention_output_bias = false;

    // RoPE: default | llama3 | yarn, with the variant's parameters as HF names them.
    double rope_theta = 10000.0;
    std::string rope_type = "default";
    nlohmann::json rope_parameters = nlohmann::json::object();

    // Multi-head latent attention (deepseek_v3).
    int q_lora_rank = 0; // 0: queries projected directly (q_proj)
    int kv_lora_rank = 0;
    int qk_nope_head_dim = 0;
    int qk_rope_head_dim = 0;
    int v_head_dim = 0;
    bool rope_interleave = true;

    // DeepSeekMoE (deepseek_v3): the first first_k_dense_replace layers are dense.
    int moe_intermediate_size = 0;
    int n_routed_experts = 0;
    int num_experts_per_tok = 0;
    int n_shared_experts = 0;
    int n_group = 1;
    int topk_group = 1;
    int first_k_dense_replace = 0;
    bool norm_topk_prob = true;
    double routed_scaling_factor = 1.0;
    ScoringFunction scoring_func = ScoringFunction::Sigmoid;

    std::optional<int> bos_token_id;
    std::vector<int> eos_token_ids;

    bool isMla() const { return attention == AttentionKind::Mla; }
    bool isMoeLayer(int layer) const { return n_routed_experts > 0 && layer >= first_k_dense_replace; }
    int numMoeLayers() const;

    // Throws core::Error naming the file and the key for a missing, mistyped or invalid field.
    static ModelConfig fromJson(const nlohmann::json& json, const std::string& file);
    static ModelConfig fromFile(const std::string& path);
    // A config.json Hugging Face transformers loads (architectures, model_type, every field).
    nlohmann::json toJson() const;
};

} // namespace thinkbench::core
