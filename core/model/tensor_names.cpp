#include "core/model/tensor_names.h"

#include <variant>

namespace thinkbench::core {

namespace {

using Shape = std::vector<int64_t>;

// Where a tensor exists: the model, every layer, or each routed expert of an MoE layer; and under
// which condition of the config.
enum class Scope { Model, Layer, Expert };

enum class When {
    Always,
    UntiedHead,    // lm_head: no tied word embeddings
    Gqa,           // GQA attention
    GqaBias,       // GQA with attention_bias
    MlaQLora,      // MLA with queries through a low rank (q_lora_rank > 0)
    MlaQLoraBias,  // the same, with attention_bias
    MlaQDirect,    // MLA with queries projected directly
    Mla,           // MLA attention
    MlaBias,       // MLA with attention_bias
    OutputBias,    // o_proj.bias
    DenseMlp,      // a layer with a dense SwiGLU MLP
    Moe,           // an MoE layer
    SharedExperts, // an MoE layer with shared experts
};

struct TensorName {
    Scope scope;
    const char* name; // after "model.layers.N." (Layer), "model.layers.N.mlp.experts.E." (Expert)
    const char* gguf; // llama.cpp's name, after "blk.N." (Layer; Expert: the tensor of all experts)
    When when;
    Shape (*shape)(const ModelConfig&);
    // Layer: the handle it binds to, a tensor or a projection's weight; Expert: the experts' weights.
    std::variant<std::monostate, at::Tensor Transformer::Layer::*, LinearWeight Transformer::Layer::*> handle;
    std::vector<LinearWeight> Transformer::Layer::*experts = nullptr;
};

using L = Transformer::Layer;

int64_t qkHead(const ModelConfig& c)
{
    return c.qk_nope_head_dim + c.qk_rope_head_dim;
}

int64_t sharedIntermediate(const ModelConfig& c)
{
    return static_cast<int64_t>(c.moe_intermediate_size) * c.n_shared_experts;
}

// Every tensor of every supported architecture, with its Hugging Face name and shape. A name may
// appear twice under exclusive conditions (q_proj and o_proj are shaped differently in GQA and MLA).
const TensorName kTensors[] = {
    // clang-format off
    {Scope::Model, "model.embed_tokens.weight", "token_embd.weight", When::Always, [](const ModelConfig& c) -> Shape { return {c.vocab_size, c.hidden_size}; }},
    {Scope::Model, "model.norm.weight", "output_norm.weight", When::Always, [](const ModelConfig& c) -> Shape { return {c.hidden_size}; }},
    {Scope::Model, "lm_head.weight", "output.weight", When::UntiedHead, [](const ModelConfig& c) -> Shape { return {c.vocab_size, c.hidden_size}; }},

    {Scope::Layer, "input_layernorm.weight", "attn_norm.weight", When::Always, [](const ModelConfig& c) -> Shape { return {c.hidden_size}; }, &L::inputNorm},
    {Scope::Layer, "post_attention_layernorm.weight", "ffn_norm.weight", When::Always, [](const ModelConfig& c) -> Shape { return {c.hidden_size}; }, &L::postNorm},

    {Scope::Layer, "self_attn.q_proj.weight", "attn_q.weight", When::Gqa, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_attention_heads} * c.head_dim, c.hidden_size}; }, &L::q},
    {Scope::Layer, "self_attn.k_proj.weight", "attn_k.weight", When::Gqa, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_key_value_heads} * c.head_dim, c.hidden_size}; }, &L::k},
    {Scope::Layer, "self_attn.v_proj.weight", "attn_v.weight", When::Gqa, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_key_value_heads} * c.head_dim, c.hidden_size}; }, &L::v},
    {Scope::Layer, "self_attn.o_proj.weight", "attn_output.weight", When::Gqa, [](const ModelConfig& c) -> Shape { return {c.hidden_size, int64_t{c.num_attention_heads} * c.head_dim}; }, &L::o},
    {Scope::Layer, "self_attn.q_proj.bias", "attn_q.bias", When::GqaBias, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_attention_heads} * c.head_dim}; }, &L::qBias},
    {Scope::Layer, "self_attn.k_proj.bias", "attn_k.bias", When::GqaBias, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_key_value_heads} * c.head_dim}; }, &L::kBias},
    {Scope::Layer, "self_attn.v_proj.bias", "attn_v.bias", When::GqaBias, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_key_value_heads} * c.head_dim}; }, &L::vBias},

    {Scope::Layer, "self_attn.q_a_proj.weight", "attn_q_a.weight", When::MlaQLora, [](const ModelConfig& c) -> Shape { return {c.q_lora_rank, c.hidden_size}; }, &L::qA},
    {Scope::Layer, "self_attn.q_a_proj.bias", "attn_q_a.bias", When::MlaQLoraBias, [](const ModelConfig& c) -> Shape { return {c.q_lora_rank}; }, &L::qABias},
    {Scope::Layer, "self_attn.q_a_layernorm.weight", "attn_q_a_norm.weight", When::MlaQLora, [](const ModelConfig& c) -> Shape { return {c.q_lora_rank}; }, &L::qANorm},
    {Scope::Layer, "self_attn.q_b_proj.weight", "attn_q_b.weight", When::MlaQLora, [](const ModelConfig& c) -> Shape { return {c.num_attention_heads * qkHead(c), c.q_lora_rank}; }, &L::qB},
    {Scope::Layer, "self_attn.q_proj.weight", "attn_q.weight", When::MlaQDirect, [](const ModelConfig& c) -> Shape { return {c.num_attention_heads * qkHead(c), c.hidden_size}; }, &L::q},
    {Scope::Layer, "self_attn.kv_a_proj_with_mqa.weight", "attn_kv_a_mqa.weight", When::Mla, [](const ModelConfig& c) -> Shape { return {c.kv_lora_rank + c.qk_rope_head_dim, c.hidden_size}; }, &L::kvA},
    {Scope::Layer, "self_attn.kv_a_proj_with_mqa.bias", "attn_kv_a_mqa.bias", When::MlaBias, [](const ModelConfig& c) -> Shape { return {c.kv_lora_rank + c.qk_rope_head_dim}; }, &L::kvABias},
    {Scope::Layer, "self_attn.kv_a_layernorm.weight", "attn_kv_a_norm.weight", When::Mla, [](const ModelConfig& c) -> Shape { return {c.kv_lora_rank}; }, &L::kvANorm},
    {Scope::Layer, "self_attn.kv_b_proj.weight", "attn_kv_b.weight", When::Mla, [](const ModelConfig& c) -> Shape { return {int64_t{c.num_attention_heads} * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank}; }, &L::kvB},
    {Scope::Layer, "self_attn.o_proj.weight", "attn_output.weight", When::Mla, [](const ModelConfig& c) -> Shape { return {c.hidden_size, int64_t{c.num_attention_heads} * c.v_head_dim}; }, &L::o},
    {Scope::Layer, "self_attn.o_proj.bias", "attn_output.bias", When::OutputBias, [](const ModelConfig& c) -> Shape { return {c.hidden_size}; }, &L::oBias},

    {Scope::Layer, "mlp.gate_proj.weight", "ffn_gate.weight", When::DenseMlp, [](const ModelConfig& c) -> Shape { return {c.intermediate_size, c.hidden_size}; }, &L::gate},
    {Scope::Layer, "mlp.up_proj.weight", "ffn_up.weight", When::DenseMlp, [](const ModelConfig& c) -> Shape { return {c.intermediate_size, c.hidden_size}; }, &L::up},
    {Scope::Layer, "mlp.down_proj.weight", "ffn_down.weight", When::DenseMlp, [](const ModelConfig& c) -> Shape { return {c.hidden_size, c.intermediate_size}; }, &L::down},

    {Scope::Layer, "mlp.gate.weight", "ffn_gate_inp.weight", When::Moe, [](const ModelConfig& c) -> Shape { return {c.n_routed_experts, c.hidden_size}; }, &L::router},
    {Scope::Layer, "mlp.gate.e_score_correction_bias", "exp_probs_b.bias", When::Moe, [](const ModelConfig& c) -> Shape { return {c.n_routed_experts}; }, &L::selectionBias},
    {Scope::Expert, "gate_proj.weight", "ffn_gate_exps.weight", When::Moe, [](const ModelConfig& c) -> Shape { return {c.moe_intermediate_size, c.hidden_size}; }, {}, &L::expertGate},
    {Scope::Expert, "up_proj.weight", "ffn_up_exps.weight", When::Moe, [](const ModelConfig& c) -> Shape { return {c.moe_intermediate_size, c.hidden_size}; }, {}, &L::expertUp},
    {Scope::Expert, "down_proj.weight", "ffn_down_exps.weight", When::Moe, [](const ModelConfig& c) -> Shape { return {c.hidden_size, c.moe_intermediate_size}; }, {}, &L::expertDown},
    {Scope::Layer, "mlp.shared_experts.gate_proj.weight", "ffn_gate_shexp.weight", When::SharedExperts, [](const ModelConfig& c) -> Shape { return {sharedIntermediate(c), c.hidden_size}; }, &L::sharedGate},
    {Scope::Layer, "mlp.shared_experts.up_proj.weight", "ffn_up_shexp.weight", When::SharedExperts, [](const ModelConfig& c) -> Shape { return {sharedIntermediate(c), c.hidden_size}; }, &L::sharedUp},
    {Scope::Layer, "mlp.shared_experts.down_proj.weight", "ffn_down_shexp.weight", When::SharedExperts, [](const ModelConfig& c) -> Shape { return {c.hidden_size, sharedIntermediate(c)}; }, &L::sharedDown},
    // clang-format on
};

bool applies(When when, const ModelConfig& c, int layer)
{
    switch (when) {
    case When::Always:
        return true;
    case When::UntiedHead:
        return !c.tie_word_embeddings;
    case When::Gqa:
        return !c.isMla();
    case When::GqaBias:
        return !c.isMla() && c.attention_bias;
    case When::MlaQLora:
        return c.isMla() && c.q_lora_rank > 0;
    case When::MlaQLoraBias:
        return c.isMla() && c.q_lora_rank > 0 && c.attention_bias;
    case When::MlaQDirect:
        return c.isMla() && c.q_lora_rank <= 0;
    case When::Mla:
        return c.isMla();
    case When::MlaBias:
        return c.isMla() && c.attention_bias;
    case When::OutputBias:
        return c.attention_output_bias;
    case When::DenseMlp:
        return !c.isMoeLayer(layer);
    case When::Moe:
        return c.isMoeLayer(layer);
    case When::SharedExperts:
        return c.isMoeLayer(layer) && c.n_shared_experts > 0;
    }
    return false;
}

std::string layerPrefix(int l)
{
    return "model.layers." + std::to_string(l) + ".";
}

std::string expertPrefix(int l, int e)
{
    return layerPrefix(l) + "mlp.experts." + std::to_string(e) + ".";
}

} // namespace

std::map<std::string, std::vector<int64_t>> expectedTensors(const ModelConfig& c)
{
    std::map<std::string, std::vector<int64_t>> t;
    for (const TensorName& n : kTensors) {
        if (n.scope == Scope::Model && applies(n.when, c, 0))
            t[n.name] = n.shape(c);
        for (int l = 0; n.scope != Scope::Model && l < c.num_hidden_layers; ++l) {
            if (!applies(n.when, c, l))
                continue;
            if (n.scope == Scope::Layer)
                t[layerPrefix(l) + n.name] = n.shape(c);
            else
                for (int e = 0; e < c.n_routed_experts; ++e)
                    t[expertPrefix(l, e) + n.name] = n.shape(c);
        }
    }
    return t;
}

std::map<std::string, GgufTensorRef> ggufTensorNames(const ModelConfig& c)
{
    std::map<std::string, GgufTensorRef> out;
    for (const TensorName& n : kTensors) {
        if (n.scope == Scope::Model && applies(n.when, c, 0))
            out[n.name] = {n.gguf};
        for (int l = 0; n.scope != Scope::Model && l < c.num_hidden_layers; ++l) {
            if (!applies(n.when, c, l))
                continue;
            const std::string block = "blk." + std::to_string(l) + "." + n.gguf;
            if (n.scope == Scope::Layer)
                out[layerPrefix(l) + n.name] = {block};
            else
                for (int e = 0; e < c.n_routed_experts; ++e)
                    out[expertPrefix(l, e) + n.name] = {block, e};
        }
    }
    return out;
}

void bindLayerTensors(Transformer::Layer& layer, const ModelConfig& c, int l,
                      const std::map<std::string, at::Tensor>& params,
                      const std::map<std::string, LinearWeight>& quantized)
{
    auto tensor = [&](const std::string& name) {
        auto it = params.find(name);
        return it == params.end() ? at::Tensor() : it->second;
    };
    auto weight = [&](const std::string& name) {
        auto it = quantized.find(name);
        return it == quantized.end() ? LinearWeight(tensor(name)) : it->second;
    };
    layer.moe = c.isMoeLayer(l);
    for (const TensorName& n : kTensors) {
        if (n.scope != Scope::Layer || !applies(n.when, c, l))
            continue;
        const std::string name = layerPrefix(l) + n.name;
        if (const auto* handle = std::get_if<at::Tensor Transformer::Layer::*>(&n.handle))
            layer.** handle = tensor(name);
        else if (const auto* linear = std::get_if<LinearWeight Transformer::Layer::*>(&n.handle))
            layer.** linear = weight(name);
    }
    if (!layer.moe)
        return;
    for (int e = 0; e < c.n_routed_experts; ++e)
        for (const TensorName& n : kTensors)
            if (n.scope == Scope::Expert)
                (layer.*n.experts).push_back(weight(expertPrefix(l, e) + n.name));
}

std::set<std::string> linearWeightNames(const ModelConfig& c)
{
    std::set<std::string> out = {"model.embed_tokens.weight"};
    if (!c.tie_word_embeddings)
        out.insert("lm_head.weight");
    for (const TensorName& n : kTensors)
        for (int l = 0; n.scope != Scope::Model && l < c.num_hidden_layers; ++l) {
            if (!applies(n.when, c, l))
                continue;
            if (n.scope == Scope::Layer && std::holds_alternative<LinearWeight Transformer::Layer::*>(n.handle))
                out.insert(layerPrefix(l) + n.name);
            for (int e = 0; n.scope == Scope::Expert && e < c.n_routed_experts; ++e)
                out.insert(expertPrefix(l, e) + n.name);
        }
    return out;
}

std::set<std::string> lookupOnlyWeights(const ModelConfig& c)
{
    return c.tie_word_embeddings ? std::set<std::string>{} : std::set<std::string>{"model.embed_tokens.weight"};
}

bool isBias(const std::string& name)
{
    return name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
}

bool isSelectionBias(const std::string& name)
{
    return name.find("e_score_correction_bias") != std::string::npos;
}

bool keptInFloat(const std::string& name)
{
    return isSelectionBias(name) || name.ends_with(".mlp.gate.weight");
}

} // namespace thinkbench::core
