#include "core/gguf/gguf_model.h"

#include "core/error.h"

#include <torch/torch.h>

#include <cstring>
#include <functional>
#include <numeric>
#include <set>

namespace thinkbench::core {

namespace {

// llama.cpp's architecture names and ours.
constexpr std::pair<const char*, const char*> kArchitectures[] = {
    {"qwen2", "qwen2"},
    {"llama", "llama"},
    {"deepseek2", "deepseek_v3"},
};

// A count or size the model cannot do without: a positive integer that fits an int.
int positive(const GgufFile& file, const std::string& key)
{
    const int64_t v = file.integer(key);
    if (v <= 0 || v > INT32_MAX)
        throw Error(file.path(), key, "must be a positive integer, not " + std::to_string(v));
    return static_cast<int>(v);
}

int optionalCount(const GgufFile& file, const std::string& key, int fallback)
{
    if (!file.find(key))
        return fallback;
    const int64_t v = file.integer(key);
    if (v < 0 || v > INT32_MAX)
        throw Error(file.path(), key, "must be a non-negative integer, not " + std::to_string(v));
    return static_cast<int>(v);
}

double optionalNumber(const GgufFile& file, const std::string& key, double fallback)
{
    return file.find(key) ? file.number(key) : fallback;
}

// Rows of the embedding, when the file says nothing else about the vocabulary.
int vocabularySize(const GgufFile& file, const std::string& arch)
{
    if (file.find(arch + ".vocab_size"))
        return positive(file, arch + ".vocab_size");
    if (file.find("tokenizer.ggml.tokens"))
        return static_cast<int>(file.array("tokenizer.ggml.tokens", GgufValueType::String).size());
    const GgufTensorInfo* embedding = file.findTensor("token_embd.weight");
    if (!embedding || embedding->shape.size() != 2 || embedding->shape[0] > INT32_MAX)
        throw Error(file.path(), "tokenizer.ggml.tokens",
                    "missing, and no 2-D token_embd.weight to size the vocabulary");
    return static_cast<int>(embedding->shape[0]);
}

nlohmann::json ropeParameters(const GgufFile& file, const std::string& arch, nlohmann::json& config)
{
    nlohmann::json rope = {{"rope_type", "default"}};
    const std::string typeKey = arch + ".rope.scaling.type";
    const std::string type = file.find(typeKey) ? file.string(typeKey) : "none";
    if (type == "yarn") {
        rope["rope_type"] = "yarn";
        rope["factor"] = file.number(arch + ".rope.scaling.factor");
        rope["original_max_position_embeddings"] = positive(file, arch + ".rope.scaling.original_context_length");
        rope["beta_fast"] = optionalNumber(file, arch + ".rope.scaling.yarn_beta_fast", 32.0);
        rope["beta_slow"] = optionalNumber(file, arch + ".rope.scaling.yarn_beta_slow", 1.0);
        // DeepSeek's mscale = mscale_all_dim, which llama.cpp's converter stores as 0.1 * mscale_all_dim.
        if (const double multiplier = optionalNumber(file, arch + ".rope.scaling.yarn_log_multiplier", 0); multiplier)
            rope["mscale"] = rope["mscale_all_dim"] = multiplier / 0.1;
    } else if (type != "none") {
        throw Error(file.path(), typeKey, "unsupported rope scaling \"" + type + "\" (none or yarn)");
    }
    // llama3 rope scaling: llama.cpp's converter stores the divisor of each frequency as a tensor.
    if (const GgufTensorInfo* factors = file.findTensor("rope_freqs.weight")) {
        const at::Tensor f = file.tensor(factors->name).to(at::kFloat).flatten();
        const int64_t half = config.value("head_dim", 0) / 2;
        if (f.numel() != half || !at::isfinite(f).all().item<bool>() || !(f > 0).all().item<bool>())
            throw Error(file.path(), "tensor rope_freqs.weight",
                        "must hold head_dim / 2 = " + std::to_string(half) + " positive factors");
        rope["freq_factors"] = std::vector<double>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
    }
    return rope;
}

void moeConfig(const GgufFile& file, const std::string& a, nlohmann::json& c)
{
    const int ropeDim = positive(file, a + ".rope.dimension_count");
    c["q_lora_rank"] = optionalCount(file, a + ".attention.q_lora_rank", 0);
    c["kv_lora_rank"] = positive(file, a + ".attention.kv_lora_rank");
    c["qk_rope_head_dim"] = ropeDim;
    // Files converted for llama.cpp's absorbed MLA keep the per-head sizes under *_mla (key_length is
    // then the latent's).
    const std::string mla = file.find(a + ".attention.key_length_mla") ? "_mla" : "";
    const int keyLength = positive(file, a + ".attention.key_length" + mla);
    if (keyLength <= ropeDim)
        throw Error(file.path(), a + ".attention.key_length" + mla, "must exceed rope.dimension_count");
    c["qk_nope_head_dim"] = keyLength - ropeDim;
    c["v_head_dim"] = positive(file, a + ".attention.value_length" + mla);
    c["n_routed_experts"] = optionalCount(file, a + ".expert_count", 0);
    if (c["n_routed_experts"].get<int64_t>() > 4096) // DeepSeek-V3 has 256
        throw Error(file.path(), a + ".expert_count", "more than 4096 experts");
    c["moe_intermediate_size"] = optionalCount(file, a + ".expert_feed_forward_length", 0);
    c["num_experts_per_tok"] = optionalCount(file, a + ".expert_used_count", 0);
    c["n_shared_experts"] = optionalCount(file, a + ".expert_shared_count", 0);
    c["first_k_dense_replace"] = optionalCount(file, a + ".leading_dense_block_count", 0);
    c["n_group"] = optionalCount(file, a + ".expert_group_count", 1);
    c["topk_group"] = optionalCount(file, a + ".expert_group_used_count", 1);
    c["routed_scaling_factor"] = optionalNumber(file, a + ".expert_weights_scale", 1.0);
    c["norm_topk_prob"] = optionalCount(file, a + ".expert_weights_norm", 0) != 0;
    // llama_expert_gating_func_type: 1 softmax, 2 sigmoid; DeepSeek-V2 files predate the key (softmax).
    const int gating = optionalCount(file, a + ".expert_gating_func", 1);
    if (gating != 1 && gating != 2)
        throw Error(file.path(), a + ".expert_gating_func", "must be 1 (softmax) or 2 (sigmoid)");
    c["scoring_func"] = gating == 1 ? "softmax" : "sigmoid";
    c["rope_interleave"] = true; // llama.cpp rotates DeepSeek's rope dimensions in pairs
}

// The Q and K rows of a llama file, back from llama.cpp's order (per head, the two rotary halves
// interleaved) to Hugging Face's (per head, first half then second half).
at::Tensor unpermute(const at::Tensor& t, int64_t heads)
{
    std::vector<int64_t> view = {heads, t.size(0) / heads / 2, 2};
    for (int64_t d = 1; d < t.dim(); ++d)
        view.push_back(t.size(d));
    return t.reshape(view).transpose(1, 2).reshape(t.sizes()).contiguous();
}

} // namespace

ModelConfig ggufModelConfig(const GgufFile& file)
{
    const std::string& arch = file.string("general.architecture");
    const char* modelType = nullptr;
    for (const auto& [name, ours] : kArchitectures)
        if (arch == name)
            modelType = ours;
    if (!modelType)
        throw Error(file.path(), "general.architecture", "unsupported \"" + arch + "\" (qwen2, llama or deepseek2)");
    const std::string a = arch;
    nlohmann::json c = {{"model_type", modelType}};
    c["hidden_size"] = positive(file, a + ".embedding_length");
    c["intermediate_size"] = positive(file, a + ".feed_forward_length");
    c["num_hidden_layers"] = positive(file, a + ".block_count");
    c["vocab_size"] = vocabularySize(file, a);
    // Every block has tensors of its own: a count beyond the file's is damage (and would make the
    // name table enumerate billions of layers).
    if (c["num_hidden_layers"].get<size_t>() > file.tensors().size())
        throw Error(file.path(), a + ".block_count",
                    std::to_string(c["num_hidden_layers"].get<int>()) + " blocks, but the file holds " +
                        std::to_string(file.tensors().size()) + " tensors");
    const int heads = positive(file, a + ".attention.head_count");
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] =
        file.find(a + ".attention.head_count_kv") ? positive(file, a + ".attention.head_count_kv") : heads;
    if (heads % c["num_key_value_heads"].get<int>() != 0)
        throw Error(file.path(), a + ".attention.head_count_kv", "must divide attention.head_count");
    c["max_position_embeddings"] = positive(file, a + ".context_length");
    c["rms_norm_eps"] = file.number(a + ".attention.layer_norm_rms_epsilon");
    c["rope_theta"] = optionalNumber(file, a + ".rope.freq_base", 10000.0);
    c["tie_word_embeddings"] = file.findTensor("output.weight") == nullptr;
    if (arch == "deepseek2") {
        moeConfig(file, a, c);
    } else {
        c["head_dim"] = file.find(a + ".attention.key_length") ? positive(file, a + ".attention.key_length")
                                                               : c["hidden_size"].get<int>() / heads;
        if (arch == "llama")
            c["attention_bias"] = file.findTensor("blk.0.attn_q.bias") != nullptr;
    }
    c["rope_parameters"] = ropeParameters(file, a, c);
    if (file.find("tokenizer.ggml.bos_token_id"))
        c["bos_token_id"] = file.integer("tokenizer.ggml.bos_token_id");
    if (file.find("tokenizer.ggml.eos_token_id"))
        c["eos_token_id"] = file.integer("tokenizer.ggml.eos_token_id");
    return ModelConfig::fromJson(c, file.path());
}

GgufCheckpoint::GgufCheckpoint(std::shared_ptr<const GgufFile> file, const ModelConfig& config)
    : GgufCheckpoint(*file, config)
{
    owner_ = file->mapping();
}

GgufCheckpoint::GgufCheckpoint(const GgufFile& file, const ModelConfig& config)
    : file_(file)
    , config_(config)
    , permutedQk_(file.string("general.architecture") == "llama")
{
    std::set<std::string> used = {"rope_freqs.weight"}; // read into the config
    for (const auto& [hfName, ref] : ggufTensorNames(config)) {
        const GgufTensorInfo* t = file.findTensor(ref.name);
        if (!t)
            continue;
        used.insert(ref.name);
        TensorEntry e;
        e.dtype = ggmlTypeName(t->type);
        e.shape = t->shape;
        if (ref.expert >= 0) { // one expert of [experts, rows, columns]
            if (e.shape.size() != 3 || ref.expert >= e.shape[0])
                continue; // reported as missing, with the shape the config implies
            e.shape.erase(e.shape.begin());
        }
        where_[hfName] = ref;
        entries_[hfName] = std::move(e);
    }
    // MLA's kv_b_proj split by llama.cpp's converter into attn_k_b [heads, latent, nope] (transposed)
    // and attn_v_b [heads, v, latent]: joined back on read.
    for (int l = 0; config.isMla() && l < config.num_hidden_layers; ++l) {
        const std::string block = "blk." + std::to_string(l) + ".";
        const GgufTensorInfo* k = file.findTensor(block + "attn_k_b.weight");
        const GgufTensorInfo* v = file.findTensor(block + "attn_v_b.weight");
        const std::string hfName = "model.layers." + std::to_string(l) + ".self_attn.kv_b_proj.weight";
        if (!k || !v || entries_.count(hfName))
            continue;
        used.insert(k->name);
        used.insert(v->name);
        if (k->shape.size() != 3 || v->shape.size() != 3 || k->shape[0] != v->shape[0] || k->shape[1] != v->shape[2])
            continue; // reported as missing
        TensorEntry e;
        e.dtype = ggmlTypeName(k->type);
        e.shape = {k->shape[0] * (k->shape[2] + v->shape[1]), k->shape[1]};
        where_[hfName] = {block + "attn_k_b.weight"};
        entries_[hfName] = std::move(e);
        splitKvB_.insert(hfName);
    }
    for (const GgufTensorInfo& t : file.tensors())
        if (!used.count(t.name)) {
            TensorEntry e;
            e.dtype = ggmlTypeName(t.type);
            e.shape = t.shape;
            entries_[t.name] = std::move(e);
        }
}

std::vector<std::string> GgufCheckpoint::names() const
{
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_)
        out.push_back(name);
    return out;
}

at::Tensor GgufCheckpoint::tensor(const std::string& name) const
{
    auto it = where_.find(name);
    if (it == where_.end())
        return file_.tensor(name); // not a model tensor: read under its own name
    if (splitKvB_.count(name)) {
        const std::string block = it->second.name.substr(0, it->second.name.find("attn_k_b"));
        const at::Tensor k = file_.tensor(block + "attn_k_b.weight").transpose(1, 2);
        const at::Tensor v = file_.tensor(block + "attn_v_b.weight").to(k.scalar_type());
        const auto& shape = entries_.at(name).shape;
        const int64_t wanted = std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
        if (k.dim() != 3 || v.dim() != 3 || k.size(0) != v.size(0) || k.size(2) != v.size(2) ||
            k.numel() + v.numel() != wanted)
            throw Error(file_.path(), "tensor " + block + "attn_k_b.weight",
                        "attn_k_b and attn_v_b do not make the kv_b_proj the config describes");
        return at::cat({k, v}, 1).reshape(shape).contiguous();
    }
    at::Tensor t = file_.tensor(it->second.name, it->second.expert);
    if (const int64_t heads = permutedHeads(name)) {
        if (t.dim() == 0 || t.size(0) % (2 * heads) != 0)
            throw Error(file_.path(), "tensor " + it->second.name,
                        "its rows are not a multiple of twice the " + std::to_string(heads) + " heads");
        t = unpermute(t, heads);
    }
    return t;
}

int64_t GgufCheckpoint::permutedHeads(const std::string& name) const
{
    if (!permutedQk_)
        return 0;
    if (name.find("self_attn.q_proj.") != std::string::npos)
        return std::max(config_.num_attention_heads, 1);
    if (name.find("self_attn.k_proj.") != std::string::npos)
        return std::max(config_.num_key_value_heads, 1);
    return 0;
}

const uint8_t* GgufCheckpoint::bytesOf(const std::string& name, std::vector<int64_t>& shape, GgmlType& type) const
{
    auto it = where_.find(name);
    if (!owner_ || it == where_.end() || splitKvB_.count(name))
        return nullptr;
    const GgufTensorInfo& t = *file_.findTensor(it->second.name);
    shape = entries_.at(name).shape;
    type = static_cast<GgmlType>(t.type);
    // Rows never straddle an expert's slice, so a slice is a whole number of blocks.
    const uint64_t slice = it->second.expert >= 0 ? t.bytes / static_cast<uint64_t>(t.shape[0]) : 0;
    return file_.tensorData(t) + slice * static_cast<uint64_t>(std::max(it->second.expert, 0));
}

at::Tensor GgufCheckpoint::view(const std::string& name) const
{
    std::vector<int64_t> shape;
    GgmlType type{};
    const uint8_t* data = bytesOf(name, shape, type);
    const std::optional<at::ScalarType> dtype = elementDtype(type);
    if (!data || !dtype || permutedHeads(name) || reinterpret_cast<uintptr_t>(data) % at::elementSize(*dtype) != 0)
        return tensor(name);
    // The deleter holds the mapping; nothing writes through the pointer (the tensor is read-only).
    return at::from_blob(
        const_cast<uint8_t*>(data), shape, [file = owner_](void*) {}, at::TensorOptions().dtype(*dtype));
}

std::optional<QuantizedMatrix> GgufCheckpoint::quantized(const std::string& name, at::ScalarType dtype) const
{
    std::vector<int64_t> shape;
    GgmlType type{};
    const uint8_t* data = bytesOf(name, shape, type);
    if (!data || shape.size() != 2 || !keptQuantized(type, dtype))
        return std::nullopt;
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(type));
    if (shape[1] % traits.blockElements != 0)
        return std::nullopt;
    QuantizedMatrix m{type, shape[0], shape[1], data, owner_};
    const int64_t heads = permutedHeads(name);
    if (!heads)
        return m;
    // llama's Q and K rows back in Hugging Face's order: whole rows of blocks moved into a buffer of
    // their own, the one copy a quantized load makes.
    if (m.rows % (2 * heads) != 0)
        throw Error(file_.path(), "tensor " + where_.at(name).name,
                    "its rows are not a multiple of twice the " + std::to_string(heads) + " heads");
    const int64_t rowBytes = m.cols / traits.blockElements * traits.blockBytes, half = m.rows / heads / 2;
    auto rows = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(m.rows * rowBytes));
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < 2; ++i)
            for (int64_t j = 0; j < half; ++j)
                std::memcpy(rows->data() + ((h * 2 + i) * half + j) * rowBytes,
                            data + ((h * half + j) * 2 + i) * rowBytes, static_cast<size_t>(rowBytes));
    m.data = rows->data();
    m.owner = std::move(rows);
    return m;
}

std::string GgufCheckpoint::fileOf(const std::string& name) const
{
    auto it = where_.find(name);
    return file_.path() + (it == where_.end() ? "" : " (" + it->second.name + ")");
}

} // namespace thinkbench::core
