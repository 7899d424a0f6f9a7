#include "core/model/model_config.h"

#include "core/error.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

namespace thinkbench::core {

namespace {

// Whether a JSON number fits an integer field exactly: nlohmann's get<int>() would truncate a
// large integer and cast a float with undefined behaviour.
template <typename T> bool fitsInteger(const nlohmann::json& v)
{
    if (!v.is_number_integer())
        return false;
    if (v.is_number_unsigned())
        return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    return v.get<int64_t>() >= std::numeric_limits<T>::min() && v.get<int64_t>() <= std::numeric_limits<T>::max();
}

template <typename T> bool fits(const nlohmann::json& v)
{
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        return fitsInteger<T>(v);
    else if constexpr (std::is_same_v<T, std::vector<int>>)
        return v.is_array() && std::all_of(v.begin(), v.end(), fitsInteger<int>);
    else
        return true; // a wrong value of the other types throws in get<T>()
}

template <typename T> void read(const nlohmann::json& j, const char* key, T& value, const std::string& file)
{
    if (!j.contains(key) || j[key].is_null())
        return;
    if (!fits<T>(j[key]))
        throw Error(file, key, "has the wrong type: " + j[key].dump());
    try {
        value = j[key].get<T>();
    } catch (const nlohmann::json::exception&) {
        throw Error(file, key, "has the wrong type: " + j[key].dump());
    }
}

void require(bool ok, const std::string& file, const char* key, const std::string& message)
{
    if (!ok)
        throw Error(file, key, message);
}

// The supported architectures: what model_type implies.
struct Architecture {
    const char* modelType;
    const char* hfClass; // config.json "architectures"
    AttentionKind attention;
    bool fixedQkvBias; // q/k/v biases always on, none on o_proj, no attention_bias key (qwen2)
};

constexpr Architecture kArchitectures[] = {
    {"qwen2", "Qwen2ForCausalLM", AttentionKind::Gqa, true},
    {"llama", "LlamaForCausalLM", AttentionKind::Gqa, false},
    {"deepseek_v3", "DeepseekV3ForCausalLM", AttentionKind::Mla, false},
};

const Architecture* findArchitecture(const std::string& modelType)
{
    for (const Architecture& a : kArchitectures)
        if (modelType == a.modelType)
            return &a;
    return nullptr;
}

constexpr std::pair<ScoringFunction, const char*> kScoringFunctions[] = {
    {ScoringFunction::Sigmoid, "sigmoid"},
    {ScoringFunction::Softmax, "softmax"},
};

std::optional<ScoringFunction> findScoringFunction(const std::string& name)
{
    for (const auto& [f, n] : kScoringFunctions)
        if (name == n)
            return f;
    return std::nullopt;
}

} // namespace

const char* scoringFunctionName(ScoringFunction f)
{
    for (const auto& [g, n] : kScoringFunctions)
        if (g == f)
            return n;
    return "";
}

int ModelConfig::numMoeLayers() const
{
    int n = 0;
    for (int l = 0; l < num_hidden_layers; ++l)
        n += isMoeLayer(l);
    return n;
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& j, const std::string& file)
{
    if (!j.is_object())
        throw Error(file, "", "config.json must be a JSON object");
    ModelConfig c;
    read(j, "model_type", c.model_type, file);
    const Architecture* arch = findArchitecture(c.model_type);
    require(arch != nullptr, file, "model_type", "unsupported \"" + c.model_type + "\" (qwen2, llama or deepseek_v3)");
    c.attention = arch->attention;
    read(j, "vocab_size", c.vocab_size, file);
    read(j, "hidden_size", c.hidden_size, file);
    read(j, "intermediate_size", c.intermediate_size, file);
    read(j, "num_hidden_layers", c.num_hidden_layers, file);
    read(j, "num_attention_heads", c.num_attention_heads, file);
    c.num_key_value_heads = c.num_attention_heads;
    read(j, "num_key_value_heads", c.num_key_value_heads, file);
    read(j, "max_position_embeddings", c.max_position_embeddings, file);
    read(j, "rms_norm_eps", c.rms_norm_eps, file);
    read(j, "initializer_range", c.initializer_range, file);
    read(j, "tie_word_embeddings", c.tie_word_embeddings, file);
    c.attention_bias = arch->fixedQkvBias;
    if (!arch->fixedQkvBias)
        read(j, "attention_bias", c.attention_bias, file);
    c.attention_output_bias = c.attention_bias && !arch->fixedQkvBias;
    for (const char* key : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads"})
        require(j.contains(key) && j[key].is_number_integer() && j[key].get<int>() > 0, file, key,
                "must be a positive integer");
    require(c.num_key_value_heads > 0 && c.num_attention_heads % c.num_key_value_heads == 0, file,
            "num_key_value_heads", "must divide num_attention_heads");
    c.head_dim = c.hidden_size / c.num_attention_heads;
    if (!c.isMla())
        read(j, "head_dim", c.head_dim, file);

    // Rope: transformers 5 writes rope_parameters (with rope_theta inside); older configs have
    // rope_theta beside an optional rope_scaling.
    read(j, "rope_theta", c.rope_theta, file);
    nlohmann::json rope = j.contains("rope_parameters") && j["rope_parameters"].is_object() ? j["rope_parameters"]
                          : j.contains("rope_scaling") && j["rope_scaling"].is_object()     ? j["rope_scaling"]
                                                                                            : nlohmann::json::object();
    read(rope, "rope_theta", c.rope_theta, file);
    c.rope_type = "default";
    read(rope, "type", c.rope_type, file);
    read(rope, "rope_type", c.rope_type, file);
    require(c.rope_type == "default" || c.rope_type == "llama3" || c.rope_type == "yarn", file,
            "rope_parameters.rope_type", "unsupported \"" + c.rope_type + "\"");
    if (c.rope_type != "default")
        require(rope.contains("factor") && rope["factor"].is_number(), file, "rope_parameters.factor",
                "must be a number");
    require(!rope.contains("truncate") || rope["truncate"].is_boolean(), file, "rope_parameters.truncate",
            "must be true or false");
    if (rope.contains("freq_factors")) {
        const auto& f = rope["freq_factors"];
        const size_t half = static_cast<size_t>(c.isMla() ? 0 : c.head_dim / 2);
        require(f.is_array() && f.size() == half &&
                    std::all_of(f.begin(), f.end(),
                                [](const nlohmann::json& x) { return x.is_number() && x.get<double>() > 0; }),
                file, "rope_parameters.freq_factors", "must be head_dim / 2 positive numbers");
    }
    c.rope_parameters = rope;

    if (c.isMla()) {
        read(j, "q_lora_rank", c.q_lora_rank, file);
        read(j, "kv_lora_rank", c.kv_lora_rank, file);
        read(j, "qk_nope_head_dim", c.qk_nope_head_dim, file);
        read(j, "qk_rope_head_dim", c.qk_rope_head_dim, file);
        read(j, "v_head_dim", c.v_head_dim, file);
        read(j, "rope_interleave", c.rope_interleave, file);
        read(j, "moe_intermediate_size", c.moe_intermediate_size, file);
        read(j, "n_routed_experts", c.n_routed_experts, file);
        read(j, "num_experts_per_tok", c.num_experts_per_tok, file);
        read(j, "n_shared_experts", c.n_shared_experts, file);
        read(j, "n_group", c.n_group, file);
        read(j, "topk_group", c.topk_group, file);
        read(j, "first_k_dense_replace", c.first_k_dense_replace, file);
        read(j, "norm_topk_prob", c.norm_topk_prob, file);
        read(j, "routed_scaling_factor", c.routed_scaling_factor, file);
        std::string scoring = scoringFunctionName(c.scoring_func);
        read(j, "scoring_func", scoring, file);
        for (const char* key : {"kv_lora_rank", "qk_rope_head_dim", "v_head_dim"})
            require(j.contains(key) && j[key].is_number_integer() && j[key].get<int>() > 0, file, key,
                    "must be positive");
        require(c.qk_rope_head_dim % 2 == 0, file, "qk_rope_head_dim", "must be even");
        if (c.n_routed_experts > 0) {
            require(c.num_experts_per_tok > 0 && c.num_experts_per_tok <= c.n_routed_experts, file,
                    "num_experts_per_tok", "must be in 1..n_routed_experts");
            require(c.n_group > 0 && c.n_routed_experts % c.n_group == 0, file, "n_group",
                    "must divide n_routed_experts");
            require(c.topk_group > 0 && c.topk_group <= c.n_group, file, "topk_group", "must be in 1..n_group");
        }
        const std::optional<ScoringFunction> scoringFunction = findScoringFunction(scoring);
        require(scoringFunction.has_value(), file, "scoring_func", "must be sigmoid or softmax");
        c.scoring_func = *scoringFunction;
        c.head_dim = c.qk_rope_head_dim; // what HF's rotary embedding rotates
    }
    require(c.intermediate_size > 0 || (c.n_routed_experts > 0 && c.first_k_dense_replace == 0), file,
            "intermediate_size", "must be positive");
    require(c.head_dim % 2 == 0 && c.head_dim > 0, file, "head_dim", "must be positive and even");

    if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer())
        c.bos_token_id = j["bos_token_id"].get<int>();
    if (j.contains("eos_token_id") && j["eos_token_id"].is_number_integer())
        c.eos_token_ids = {j["eos_token_id"].get<int>()};
    else
        read(j, "eos_token_id", c.eos_token_ids, file);
    return c;
}

ModelConfig ModelConfig::fromFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path, "", "cannot read config.json");
    try {
        return fromJson(nlohmann::json::parse(in), path);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path, "byte " + std::to_string(e.byte), "invalid JSON");
    } catch (const nlohmann::json::exception& e) { // out_of_range: a number too large for a double
        throw Error(path, "", std::string("invalid JSON: ") + e.what());
    }
}

nlohmann::json ModelConfig::toJson() const
{
    const Architecture* arch = findArchitecture(model_type);
    // A config not from fromJson has no model_type; it is written as DeepSeek-V3, as it always was.
    if (!arch)
        arch = &kArchitectures[std::size(kArchitectures) - 1];
    const char* architecture = arch->hfClass;
    nlohmann::json rope = rope_parameters;
    rope["rope_theta"] = rope_theta;
    rope["rope_type"] = rope_type;
    nlohmann::json j = {
        {"architectures", {architecture}},
        {"model_type", model_type},
        {"vocab_size", vocab_size},
        {"hidden_size", hidden_size},
        {"intermediate_size", intermediate_size},
        {"num_hidden_layers", num_hidden_layers},
        {"num_attention_heads", num_attention_heads},
        {"num_key_value_heads", num_key_value_heads},
        {"max_position_embeddings", max_position_embeddings},
        {"rms_norm_eps", rms_norm_eps},
        {"initializer_range", initializer_range},
        {"tie_word_embeddings", tie_word_embeddings},
        {"hidden_act", "silu"},
        {"rope_theta", rope_theta},
        {"rope_parameters", rope},
        {"torch_dtype", "float32"},
    };
    if (!arch->fixedQkvBias)
        j["attention_bias"] = attention_bias;
    if (!isMla())
        j["head_dim"] = head_dim;
    if (isMla()) {
        j["q_lora_rank"] = q_lora_rank > 0 ? nlohmann::json(q_lora_rank) : nlohmann::json(nullptr);
        j["kv_lora_rank"] = kv_lora_rank;
        j["qk_nope_head_dim"] = qk_nope_head_dim;
        j["qk_rope_head_dim"] = qk_rope_head_dim;
        j["v_head_dim"] = v_head_dim;
        j["rope_interleave"] = rope_interleave;
        j["moe_intermediate_size"] = moe_intermediate_size;
        j["n_routed_experts"] = n_routed_experts;
        j["num_experts_per_tok"] = num_experts_per_tok;
        j["n_shared_experts"] = n_shared_experts;
        j["n_group"] = n_group;
        j["topk_group"] = topk_group;
        j["first_k_dense_replace"] = first_k_dense_replace;
        j["norm_topk_prob"] = norm_topk_prob;
        j["routed_scaling_factor"] = routed_scaling_factor;
        j["scoring_func"] = scoringFunctionName(scoring_func);
        j["num_nextn_predict_layers"] = 0;
    }
    if (bos_token_id)
        j["bos_token_id"] = *bos_token_id;
    if (eos_token_ids.size() == 1)
        j["eos_token_id"] = eos_token_ids[0];
    else if (!eos_token_ids.empty())
        j["eos_token_id"] = eos_token_ids;
    return j;
}

} // namespace thinkbench::core
