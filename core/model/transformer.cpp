#include "core/model/transformer.h"

#include "core/error.h"
#include "core/model/moe_routing.h"
#include "core/model/rope.h"
#include "core/model/safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace thinkbench::core {

namespace {

std::string layerPrefix(int l)
{
    return "model.layers." + std::to_string(l) + ".";
}

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// Hugging Face's RMSNorm: statistics in f32, the weight applied in the input dtype.
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps)
{
    const at::Tensor xf = x.to(at::kFloat);
    const at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps);
    return weight * normed.to(x.scalar_type());
}

at::Tensor dense(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {})
{
    return at::linear(x, w, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt);
}

at::Tensor swiglu(const at::Tensor& x, const at::Tensor& gate, const at::Tensor& up,
                  const at::Tensor& down)
{
    return dense(at::silu(dense(x, gate)) * dense(x, up), down);
}

} // namespace

// Handles (shared storage) on the parameters one layer uses, so forward() does no name lookups.
struct Transformer::Layer {
    at::Tensor inputNorm, postNorm;
    at::Tensor q, qBias, k, kBias, v, vBias, o, oBias;     // GQA
    at::Tensor qA, qABias, qANorm, qB, kvA, kvABias, kvANorm, kvB; // MLA
    at::Tensor gate, up, down;                              // dense MLP
    bool moe = false;
    at::Tensor router, selectionBias;
    std::vector<at::Tensor> expertGate, expertUp, expertDown;
    at::Tensor sharedGate, sharedUp, sharedDown;
};

std::map<std::string, std::vector<int64_t>> expectedTensors(const ModelConfig& c)
{
    std::map<std::string, std::vector<int64_t>> t;
    const int64_t H = c.hidden_size, V = c.vocab_size, nh = c.num_attention_heads;
    t["model.embed_tokens.weight"] = {V, H};
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const std::string p = layerPrefix(l);
        t[p + "input_layernorm.weight"] = {H};
        t[p + "post_attention_layernorm.weight"] = {H};
        const std::string a = p + "self_attn.";
        if (c.isMla()) {
            const int64_t qkHead = c.qk_nope_head_dim + c.qk_rope_head_dim;
            if (c.q_lora_rank > 0) {
                t[a + "q_a_proj.weight"] = {c.q_lora_rank, H};
                if (c.attention_bias)
                    t[a + "q_a_proj.bias"] = {c.q_lora_rank};
                t[a + "q_a_layernorm.weight"] = {c.q_lora_rank};
                t[a + "q_b_proj.weight"] = {nh * qkHead, c.q_lora_rank};
            } else {
                t[a + "q_proj.weight"] = {nh * qkHead, H};
            }
            t[a + "kv_a_proj_with_mqa.weight"] = {c.kv_lora_rank + c.qk_rope_head_dim, H};
            if (c.attention_bias)
                t[a + "kv_a_proj_with_mqa.bias"] = {c.kv_lora_rank + c.qk_rope_head_dim};
            t[a + "kv_a_layernorm.weight"] = {c.kv_lora_rank};
            t[a + "kv_b_proj.weight"] = {nh * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank};
            t[a + "o_proj.weight"] = {H, nh * c.v_head_dim};
            if (c.attention_bias)
                t[a + "o_proj.bias"] = {H};
        } else {
            const int64_t hd = c.head_dim, kv = c.num_key_value_heads;
            t[a + "q_proj.weight"] = {nh * hd, H};
            t[a + "k_proj.weight"] = {kv * hd, H};
            t[a + "v_proj.weight"] = {kv * hd, H};
            t[a + "o_proj.weight"] = {H, nh * hd};
            if (c.attention_bias) {
                t[a + "q_proj.bias"] = {nh * hd};
                t[a + "k_proj.bias"] = {kv * hd};
                t[a + "v_proj.bias"] = {kv * hd};
                if (c.model_type != "qwen2")
                    t[a + "o_proj.bias"] = {H};
            }
        }
        const std::string m = p + "mlp.";
        if (c.isMoeLayer(l)) {
            const int64_t E = c.n_routed_experts, mi = c.moe_intermediate_size;
            t[m + "gate.weight"] = {E, H};
            t[m + "gate.e_score_correction_bias"] = {E};
            for (int64_t e = 0; e < E; ++e) {
                const std::string x = m + "experts." + std::to_string(e) + ".";
                t[x + "gate_proj.weight"] = {mi, H};
                t[x + "up_proj.weight"] = {mi, H};
                t[x + "down_proj.weight"] = {H, mi};
            }
            if (c.n_shared_experts > 0) {
                const int64_t si = mi * c.n_shared_experts;
                t[m + "shared_experts.gate_proj.weight"] = {si, H};
                t[m + "shared_experts.up_proj.weight"] = {si, H};
                t[m + "shared_experts.down_proj.weight"] = {H, si};
            }
        } else {
            t[m + "gate_proj.weight"] = {c.intermediate_size, H};
            t[m + "up_proj.weight"] = {c.intermediate_size, H};
            t[m + "down_proj.weight"] = {H, c.intermediate_size};
        }
    }
    t["model.norm.weight"] = {H};
    if (!c.tie_word_embeddings)
        t["lm_head.weight"] = {V, H};
    return t;
}

namespace {

bool isBias(const std::string& name)
{
    return name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
}

bool isSelectionBias(const std::string& name)
{
    return name.find("e_score_correction_bias") != std::string::npos;
}

// f32 whatever the model dtype, as Hugging Face keeps them: routing chooses among near-tied
// experts, and bf16-rounded router weights choose differently.
bool keptInFloat(const std::string& name)
{
    return isSelectionBias(name) || name.ends_with(".mlp.gate.weight");
}

} // namespace

Transformer::Transformer(const ModelConfig& config, at::ScalarType dtype, at::Device device)
    : config_(config)
    , dtype_(dtype)
{
    torch::NoGradGuard noGrad;
    const auto options = at::TensorOptions().dtype(at::kFloat).device(device);
    for (const auto& [name, shape] : expectedTensors(config)) {
        at::Tensor t;
        if (isSelectionBias(name))
            t = at::zeros(shape, options);
        else if (name.find("norm") != std::string::npos)
            t = at::ones(shape, options);
        else if (isBias(name))
            t = at::zeros(shape, options);
        else
            t = at::normal(0.0, config.initializer_range, shape, c10::nullopt, options);
        params_[name] = keptInFloat(name) ? t : t.to(dtype);
    }
    bindLayers();
}

Transformer Transformer::load(const std::string& dir, at::ScalarType dtype, at::Device device)
{
    namespace fs = std::filesystem;
    const fs::path configPath = fs::path(dir) / "config.json";
    if (!fs::exists(configPath))
        throw Error(dir, "", "not a model folder: config.json is missing");
    Transformer model;
    model.config_ = ModelConfig::fromFile(configPath.string());
    model.dtype_ = dtype;
    const CheckpointReader reader(dir);
    const auto expected = expectedTensors(model.config_);
    for (const auto& [name, shape] : expected) {
        if (!reader.contains(name))
            throw Error(dir, "tensor " + name,
                        "missing from the checkpoint (the config implies shape " + shapeText(shape) +
                            ")");
        const TensorEntry& entry = reader.entry(name);
        if (entry.shape != shape)
            throw Error(reader.fileOf(name), "tensor " + name,
                        "has shape " + shapeText(entry.shape) + ", the config implies " +
                            shapeText(shape));
        at::Tensor t = reader.tensor(name).to(device);
        model.params_[name] = keptInFloat(name) ? t.to(at::kFloat) : t.to(dtype);
    }
    for (const auto& name : reader.names()) {
        if (expected.count(name))
            continue;
        // Tolerated extras: a tied head saved anyway, DeepSeek-V3's multi-token-prediction layers
        // (beyond num_hidden_layers) and rotary caches some exporters write.
        if (name == "lm_head.weight" && model.config_.tie_word_embeddings)
            continue;
        if (name.find("rotary_emb.inv_freq") != std::string::npos)
            continue;
        // Empty tensors carry nothing: HF writes 0-wide shared experts when n_shared_experts is 0.
        const std::vector<int64_t>& shape = reader.entry(name).shape;
        if (std::find(shape.begin(), shape.end(), 0) != shape.end())
            continue;
        if (name.rfind("model.layers.", 0) == 0 &&
            std::stoi(name.substr(13)) >= model.config_.num_hidden_layers)
            continue;
        throw Error(reader.fileOf(name), "tensor " + name,
                    "unexpected: the config implies no such tensor");
    }
    model.bindLayers();
    return model;
}

void Transformer::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    nlohmann::json config = config_.toJson();
    config["torch_dtype"] = dtype_ == at::kBFloat16 ? "bfloat16"
                            : dtype_ == at::kHalf   ? "float16"
                                                    : "float32";
    {
        std::ofstream out(fs::path(dir) / "config.json");
        if (!out)
            throw Error(dir, "", "cannot write config.json");
        out << config.dump(2) << "\n";
    }
    writeSafetensors((fs::path(dir) / "model.safetensors").string(), params_);
}

at::Device Transformer::device() const
{
    return params_.at("model.embed_tokens.weight").device();
}

void Transformer::bindLayers()
{
    auto get = [&](const std::string& name) {
        auto it = params_.find(name);
        return it == params_.end() ? at::Tensor() : it->second;
    };
    layers_ = std::make_shared<std::vector<Layer>>(static_cast<size_t>(config_.num_hidden_layers));
    for (int l = 0; l < config_.num_hidden_layers; ++l) {
        Layer& L = (*layers_)[static_cast<size_t>(l)];
        const std::string p = layerPrefix(l), a = p + "self_attn.", m = p + "mlp.";
        L.inputNorm = get(p + "input_layernorm.weight");
        L.postNorm = get(p + "post_attention_layernorm.weight");
        L.q = get(a + "q_proj.weight");
        L.qBias = get(a + "q_proj.bias");
        L.k = get(a + "k_proj.weight");
        L.kBias = get(a + "k_proj.bias");
        L.v = get(a + "v_proj.weight");
        L.vBias = get(a + "v_proj.bias");
        L.o = get(a + "o_proj.weight");
        L.oBias = get(a + "o_proj.bias");
        L.qA = get(a + "q_a_proj.weight");
        L.qABias = get(a + "q_a_proj.bias");
        L.qANorm = get(a + "q_a_layernorm.weight");
        L.qB = get(a + "q_b_proj.weight");
        L.kvA = get(a + "kv_a_proj_with_mqa.weight");
        L.kvABias = get(a + "kv_a_proj_with_mqa.bias");
        L.kvANorm = get(a + "kv_a_layernorm.weight");
        L.kvB = get(a + "kv_b_proj.weight");
        L.moe = config_.isMoeLayer(l);
        if (L.moe) {
            L.router = get(m + "gate.weight");
            L.selectionBias = get(m + "gate.e_score_correction_bias");
            for (int e = 0; e < config_.n_routed_experts; ++e) {
                const std::string x = m + "experts." + std::to_string(e) + ".";
                L.expertGate.push_back(get(x + "gate_proj.weight"));
                L.expertUp.push_back(get(x + "up_proj.weight"));
                L.expertDown.push_back(get(x + "down_proj.weight"));
            }
            L.sharedGate = get(m + "shared_experts.gate_proj.weight");
            L.sharedUp = get(m + "shared_experts.up_proj.weight");
            L.sharedDown = get(m + "shared_experts.down_proj.weight");
        } else {
            L.gate = get(m + "gate_proj.weight");
            L.up = get(m + "up_proj.weight");
            L.down = get(m + "down_proj.weight");
        }
    }
    const RopeTables rope = ropeTables(config_);
    invFreq_ = rope.invFreq.to(device());
    ropeAttentionScale_ = rope.attentionScale;
    softmaxScale_ = rope.softmaxScale;
}

std::vector<at::Tensor> Transformer::selectionBiases() const
{
    std::vector<at::Tensor> out;
    for (const Layer& L : *layers_)
        if (L.moe)
            out.push_back(L.selectionBias);
    return out;
}

int64_t Transformer::numParameters() const
{
    int64_t n = 0;
    for (const auto& [name, t] : params_)
        if (!isSelectionBias(name))
            n += t.numel();
    return n;
}

double Transformer::flopsPerToken(int64_t context) const
{
    const ModelConfig& c = config_;
    double matmulParams = 0;
    for (const auto& [name, t] : params_) {
        if (t.dim() != 2 || name == "model.embed_tokens.weight" || name.find(".experts.") != std::string::npos)
            continue;
        matmulParams += static_cast<double>(t.numel());
    }
    if (c.tie_word_embeddings)
        matmulParams += static_cast<double>(c.vocab_size) * c.hidden_size;
    // Activated routed experts per MoE layer.
    matmulParams += static_cast<double>(c.numMoeLayers()) * c.num_experts_per_tok * 3.0 *
                    c.moe_intermediate_size * c.hidden_size;
    const double qk = c.isMla() ? c.qk_nope_head_dim + c.qk_rope_head_dim : c.head_dim;
    const double v = c.isMla() ? c.v_head_dim : c.head_dim;
    const double attention =
        static_cast<double>(c.num_hidden_layers) * c.num_attention_heads * (qk + v) * context;
    return 2.0 * (matmulParams + attention);
}

Transformer Transformer::clone() const
{
    Transformer copy;
    copy.config_ = config_;
    copy.dtype_ = dtype_;
    for (const auto& [name, t] : params_)
        copy.params_[name] = t.detach().clone();
    copy.bindLayers();
    return copy;
}

// ---------------------------------------------------------------------------------------------
// Forward

namespace {

struct Context {
    at::Tensor cos, sin;  // [B, 1, T, rope dim], the model dtype
    at::Tensor mask;      // [B, 1, T, S] additive
    int64_t past = 0;
};

// Softmax attention in torch's fused kernel: for bf16 and f16 it keeps scores and softmax in f32
// and rounds once, as Hugging Face's default (sdpa) does. Scores rounded to bf16 before the softmax
// double the error, more as attention sharpens, and tip near-tied MoE routing away from HF's.
at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask, double scale,
                  bool enableGqa = false)
{
    return at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, scale, enableGqa);
}

at::Tensor attendGqa(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x,
                     const Context& ctx, KvCache* cache, int layer, double scale)
{
    const int64_t B = x.size(0), T = x.size(1), nh = c.num_attention_heads,
                  kvh = c.num_key_value_heads, hd = c.head_dim;
    at::Tensor q = dense(x, L.q, L.qBias).view({B, T, nh, hd}).transpose(1, 2);
    at::Tensor k = dense(x, L.k, L.kBias).view({B, T, kvh, hd}).transpose(1, 2);
    at::Tensor v = dense(x, L.v, L.vBias).view({B, T, kvh, hd}).transpose(1, 2);
    q = applyRope(q, ctx.cos, ctx.sin, false);
    k = applyRope(k, ctx.cos, ctx.sin, false);
    if (cache) {
        cache->first[static_cast<size_t>(layer)].narrow(2, ctx.past, T).copy_(k);
        cache->second[static_cast<size_t>(layer)].narrow(2, ctx.past, T).copy_(v);
        k = cache->first[static_cast<size_t>(layer)].narrow(2, 0, ctx.past + T);
        v = cache->second[static_cast<size_t>(layer)].narrow(2, 0, ctx.past + T);
    }
    const at::Tensor out = attend(q, k, v, ctx.mask, scale, /*enableGqa=*/true); // heads share kv heads
    return dense(out.transpose(1, 2).reshape({B, T, nh * hd}), L.o, L.oBias);
}

// Decoding against the cached latent without expanding it: kv_b_proj's key half is folded into
// the query and its value half applied after attention (DeepSeek-V3's "absorb" mode). Expanding
// every cached position to per-head keys and values costs S x kv_lora_rank x heads x (nope + v)
// per new token; this costs S x heads x (kv_lora_rank + rope). Shapes: qPass [B, nh, T, nope],
// qRot [B, nh, T, rope], latent [B, S, kv_lora_rank], kRot [B, S, rope]; returns [B, T, nh * v].
at::Tensor attendMlaAbsorbed(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& qPass,
                             const at::Tensor& qRot, const at::Tensor& latent, const at::Tensor& kRot,
                             const at::Tensor& mask, double scale)
{
    const int64_t B = qPass.size(0), nh = qPass.size(1), T = qPass.size(2), S = latent.size(1),
                  nope = c.qk_nope_head_dim, vd = c.v_head_dim, rank = c.kv_lora_rank;
    const at::Tensor w = L.kvB.view({nh, nope + vd, rank});
    // Per head: [nh, B*T, nope] x [nh, nope, rank], then back to one row per (head, position).
    const at::Tensor qLatent = at::bmm(qPass.permute({1, 0, 2, 3}).reshape({nh, B * T, nope}), w.narrow(1, 0, nope))
                                   .view({nh, B, T, rank})
                                   .permute({1, 0, 2, 3})
                                   .reshape({B, nh * T, rank});
    // Every (head, position) row attends to the one shared latent: a single head of nh*T queries.
    const at::Tensor query = at::cat({qLatent, qRot.reshape({B, nh * T, qRot.size(-1)})}, -1);
    const at::Tensor key = at::cat({latent, kRot}, -1);
    const at::Tensor rowMask = mask.expand({B, nh, T, S}).reshape({B, 1, nh * T, S});
    const at::Tensor context =
        attend(query.unsqueeze(1), key.unsqueeze(1), latent.unsqueeze(1), rowMask, scale) // [B, 1, nh*T, rank]
            .view({B, nh, T, rank})
            .permute({1, 0, 2, 3})
            .reshape({nh, B * T, rank});
    return at::bmm(context, w.narrow(1, nope, vd).transpose(1, 2)) // [nh, B*T, v]
        .view({nh, B, T, vd})
        .permute({1, 2, 0, 3})
        .reshape({B, T, nh * vd});
}

at::Tensor attendMla(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x,
                     const Context& ctx, KvCache* cache, int layer, double scale)
{
    const int64_t B = x.size(0), T = x.size(1), nh = c.num_attention_heads,
                  nope = c.qk_nope_head_dim, rope = c.qk_rope_head_dim, vd = c.v_head_dim;
    at::Tensor q = c.q_lora_rank > 0
                       ? dense(rmsNorm(dense(x, L.qA, L.qABias), L.qANorm, c.rms_norm_eps), L.qB)
                       : dense(x, L.q);
    q = q.view({B, T, nh, nope + rope}).transpose(1, 2);
    at::Tensor qPass = q.narrow(-1, 0, nope);
    at::Tensor qRot = applyRope(q.narrow(-1, nope, rope), ctx.cos, ctx.sin, c.rope_interleave);

    const at::Tensor compressed = dense(x, L.kvA, L.kvABias);
    at::Tensor latent = rmsNorm(compressed.narrow(-1, 0, c.kv_lora_rank), L.kvANorm, c.rms_norm_eps);
    at::Tensor kRot = applyRope(compressed.narrow(-1, c.kv_lora_rank, rope).unsqueeze(1), ctx.cos,
                                ctx.sin, c.rope_interleave); // [B, 1, T, rope]
    if (cache) {
        cache->first[static_cast<size_t>(layer)].narrow(1, ctx.past, T).copy_(latent);
        cache->second[static_cast<size_t>(layer)].narrow(1, ctx.past, T).copy_(kRot.squeeze(1));
        latent = cache->first[static_cast<size_t>(layer)].narrow(1, 0, ctx.past + T);
        kRot = cache->second[static_cast<size_t>(layer)].narrow(1, 0, ctx.past + T).unsqueeze(1);
    }
    const int64_t S = latent.size(1);
    if (cache && ctx.past > 0)
        return dense(attendMlaAbsorbed(L, c, qPass, qRot, latent, kRot.squeeze(1), ctx.mask, scale),
                     L.o, L.oBias);
    const at::Tensor kv = dense(latent, L.kvB).view({B, S, nh, nope + vd}).transpose(1, 2);
    const at::Tensor key = at::cat({kv.narrow(-1, 0, nope), kRot.expand({B, nh, S, rope})}, -1);
    const at::Tensor value = kv.narrow(-1, nope, vd);
    const at::Tensor out = attend(at::cat({qPass, qRot}, -1), key, value, ctx.mask, scale);
    return dense(out.transpose(1, 2).reshape({B, T, nh * vd}), L.o, L.oBias);
}

// DeepSeekMoE: routed experts chosen per token (moe_routing: group-limited top-k on the scores
// plus the selection bias), computed by grouped dispatch (tokens sorted by expert, one matmul per
// expert), plus the shared experts every token passes through.
at::Tensor moe(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x,
               at::Tensor& load, at::Tensor& scoresOut)
{
    const int64_t H = x.size(-1), E = c.n_routed_experts, K = c.num_experts_per_tok;
    const at::Tensor flat = x.reshape({-1, H});
    const at::Tensor logits = at::linear(flat.to(at::kFloat), L.router.to(at::kFloat));
    const Routing routing = routeTokens(logits, L.selectionBias, routerParams(c));
    scoresOut = routing.scores;

    const TokenPermutation permutation = permuteTokens(routing.experts, E);
    const at::Tensor& order = permutation.order;
    const at::Tensor& counts = permutation.counts;
    load = counts.to(at::kFloat);
    const at::Tensor tokenOf = order.div(K, "floor");
    const at::Tensor sortedX = flat.index_select(0, tokenOf);
    const at::Tensor sortedW = routing.weights.reshape({-1}).index_select(0, order);
    std::vector<at::Tensor> outs;
    const auto* count = counts.data_ptr<int64_t>();
    int64_t start = 0;
    for (int64_t e = 0; e < E; ++e) {
        if (count[e] == 0)
            continue;
        const at::Tensor xs = sortedX.narrow(0, start, count[e]);
        outs.push_back(swiglu(xs, L.expertGate[static_cast<size_t>(e)],
                              L.expertUp[static_cast<size_t>(e)], L.expertDown[static_cast<size_t>(e)]));
        start += count[e];
    }
    // Weighted and summed over the top-k in f32, rounded once, as Hugging Face does: rounding
    // each expert's share first tips near-tied routing in the next layer.
    at::Tensor routed = at::zeros(flat.sizes(), flat.options().dtype(at::kFloat));
    if (!outs.empty())
        routed = routed.index_add(0, tokenOf, at::cat(outs, 0).to(at::kFloat) * sortedW.unsqueeze(-1));
    at::Tensor out = routed.to(x.scalar_type()).view(x.sizes());
    if (L.sharedGate.defined())
        out = out + swiglu(x, L.sharedGate, L.sharedUp, L.sharedDown);
    return out;
}

} // namespace

ForwardOutput Transformer::forward(const at::Tensor& inputIds, const ForwardOptions& options) const
{
    const ModelConfig& c = config_;
    const int64_t B = inputIds.size(0), T = inputIds.size(1);
    const at::Device dev = device();
    KvCache* cache = options.cache;
    Context ctx;
    ctx.past = cache ? cache->length : 0;
    const int64_t S = ctx.past + T;
    if (cache && S > cache->capacity)
        throw Error("", "kv cache", "capacity " + std::to_string(cache->capacity) + " exceeded");

    // Which keys are real tokens, and the rope position of each new token.
    at::Tensor newValid = options.attentionMask.defined()
                              ? options.attentionMask.narrow(1, options.attentionMask.size(1) - T, T)
                                    .to(dev)
                                    .to(at::kBool)
                              : at::ones({B, T}, at::TensorOptions().dtype(at::kBool).device(dev));
    at::Tensor keyValid;
    at::Tensor pastCount = at::zeros({B, 1}, at::TensorOptions().dtype(at::kLong).device(dev));
    if (cache) {
        cache->valid.narrow(1, ctx.past, T).copy_(newValid);
        keyValid = cache->valid.narrow(1, 0, S);
        if (ctx.past > 0)
            pastCount = cache->valid.narrow(1, 0, ctx.past).sum(1, true);
    } else {
        keyValid = newValid;
    }
    const at::Tensor positions =
        (pastCount + newValid.to(at::kLong).cumsum(1) - 1).clamp_min(0); // [B, T]
    const RopeAngles angles = ropeAngles(invFreq_, positions, ropeAttentionScale_, dtype_);
    ctx.cos = angles.cos;
    ctx.sin = angles.sin;

    const at::Tensor queryIndex =
        at::arange(ctx.past, S, at::TensorOptions().dtype(at::kLong).device(dev)).view({T, 1});
    const at::Tensor keyIndex =
        at::arange(0, S, at::TensorOptions().dtype(at::kLong).device(dev)).view({1, S});
    const at::Tensor allowed = (keyIndex <= queryIndex).unsqueeze(0) & keyValid.unsqueeze(1);
    // A finite minimum keeps fully masked rows (padding queries) from turning into NaN; -65000
    // still fits float16.
    const double masked = dtype_ == at::kHalf ? -65000.0 : -1e30;
    ctx.mask = at::zeros({B, T, S}, at::TensorOptions().dtype(at::kFloat).device(dev))
                   .masked_fill(allowed.logical_not(), masked)
                   .to(dtype_)
                   .unsqueeze(1);

    at::Tensor h = at::embedding(params_.at("model.embed_tokens.weight"), inputIds.to(dev));
    ForwardOutput out;
    std::vector<at::Tensor> loads;
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const Layer& L = (*layers_)[static_cast<size_t>(l)];
        const at::Tensor normed = rmsNorm(h, L.inputNorm, c.rms_norm_eps);
        h = h + (c.isMla() ? attendMla(L, c, normed, ctx, cache, l, softmaxScale_)
                           : attendGqa(L, c, normed, ctx, cache, l, softmaxScale_));
        const at::Tensor post = rmsNorm(h, L.postNorm, c.rms_norm_eps);
        if (L.moe) {
            at::Tensor load, scores;
            h = h + moe(L, c, post, load, scores);
            loads.push_back(load);
            out.routerScores.push_back(scores);
        } else {
            h = h + swiglu(post, L.gate, L.up, L.down);
        }
    }
    if (cache)
        cache->length = S;
    if (options.lastTokenOnly)
        h = h.narrow(1, T - 1, 1);
    h = rmsNorm(h, params_.at("model.norm.weight"), c.rms_norm_eps);
    const at::Tensor& head = c.tie_word_embeddings ? params_.at("model.embed_tokens.weight")
                                                   : params_.at("lm_head.weight");
    out.logits = at::linear(h, head);
    out.expertLoad = loads.empty() ? at::zeros({0, c.n_routed_experts}) : at::stack(loads);
    return out;
}

// ---------------------------------------------------------------------------------------------

KvCache KvCache::create(const ModelConfig& c, int64_t batch, int64_t capacity,
                        at::ScalarType dtype, at::Device device)
{
    KvCache cache;
    cache.capacity = capacity;
    const auto options = at::TensorOptions().dtype(dtype).device(device);
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        if (c.isMla()) {
            cache.first.push_back(at::zeros({batch, capacity, c.kv_lora_rank}, options));
            cache.second.push_back(at::zeros({batch, capacity, c.qk_rope_head_dim}, options));
        } else {
            cache.first.push_back(at::zeros({batch, c.num_key_value_heads, capacity, c.head_dim}, options));
            cache.second.push_back(at::zeros({batch, c.num_key_value_heads, capacity, c.head_dim}, options));
        }
    }
    cache.valid = at::zeros({batch, capacity}, at::TensorOptions().dtype(at::kBool).device(device));
    return cache;
}

void KvCache::selectRows(const at::Tensor& rows)
{
    const at::Tensor index = rows.to(valid.device()).to(at::kLong);
    for (auto& t : first)
        t = t.index_select(0, index);
    for (auto& t : second)
        t = t.index_select(0, index);
    valid = valid.index_select(0, index);
}

} // namespace thinkbench::core
