#include "core/gguf/gguf_export.h"

#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/gguf/gguf_writer.h"
#include "core/model/tensor_names.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

namespace thinkbench::core {

namespace {

// llama_ftype of a whole file (general.file_type).
int fileType(GgufExportType type)
{
    switch (type) {
    case GgufExportType::F32:
        return 0;
    case GgufExportType::F16:
        return 1;
    case GgufExportType::Q8_0:
        return 7;
    case GgufExportType::Q4_K_M:
        return 15;
    case GgufExportType::BF16:
        return 32;
    }
    return 0;
}

// The layers llama.cpp's Q4_K_M gives more bits: the first and last eighth, every third between.
bool moreBits(int layer, int layers)
{
    return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}

// `type`, or llama.cpp's fallback when rows of `row` elements are not whole blocks of it.
GgmlType fitted(GgmlType type, int64_t row)
{
    if ((type == GgmlType::Q4_K || type == GgmlType::Q6_K) && row % 256 != 0)
        type = type == GgmlType::Q4_K ? GgmlType::Q5_0 : GgmlType::Q8_0;
    if ((type == GgmlType::Q8_0 || type == GgmlType::Q5_0) && row % 32 != 0)
        type = GgmlType::F16;
    return type;
}

// The type tensor `name` (llama.cpp's name) is written as in a file of `type`.
GgmlType tensorType(const std::string& name, const std::vector<int64_t>& shape, GgufExportType type,
                    const ModelConfig& c)
{
    if (shape.size() <= 1 || name.ends_with("ffn_gate_inp.weight")) // the converter keeps routers F32
        return GgmlType::F32;
    switch (type) {
    case GgufExportType::F32:
        return GgmlType::F32;
    case GgufExportType::F16:
        return GgmlType::F16;
    case GgufExportType::BF16:
        return GgmlType::BF16;
    case GgufExportType::Q8_0:
        return fitted(GgmlType::Q8_0, shape.back());
    case GgufExportType::Q4_K_M:
        break;
    }
    bool more = name == "output.weight" || (name == "token_embd.weight" && c.tie_word_embeddings);
    if (name.starts_with("blk.") &&
        (name.find(".attn_v.") != std::string::npos || name.find(".attn_v_b.") != std::string::npos ||
         name.find(".ffn_down") != std::string::npos))
        more = moreBits(std::stoi(name.substr(4)), c.num_hidden_layers);
    return fitted(more ? GgmlType::Q6_K : GgmlType::Q4_K, shape.back());
}

// Each head's rotary halves interleaved, as llama.cpp's converter stores llama's Q and K.
at::Tensor permute(const at::Tensor& t, int64_t heads)
{
    std::vector<int64_t> view = {heads, 2, t.size(0) / heads / 2};
    for (int64_t d = 1; d < t.dim(); ++d)
        view.push_back(t.size(d));
    return t.reshape(view).transpose(1, 2).reshape(t.sizes()).contiguous();
}

// llama3 rope scaling as the divisor of each frequency (the converter's rope_freqs.weight).
at::Tensor llama3Factors(const ModelConfig& c)
{
    const auto& p = c.rope_parameters;
    const double factor = p.value("factor", 8.0), low = p.value("low_freq_factor", 1.0);
    const double high = p.value("high_freq_factor", 4.0), old = p.value("original_max_position_embeddings", 8192.0);
    std::vector<float> factors;
    for (int i = 0; i < c.head_dim; i += 2) {
        const double wavelen = 2 * M_PI * std::pow(c.rope_theta, static_cast<double>(i) / c.head_dim);
        if (wavelen < old / high)
            factors.push_back(1);
        else if (wavelen > old / low)
            factors.push_back(static_cast<float>(factor));
        else {
            const double smooth = (old / wavelen - low) / (high - low);
            factors.push_back(static_cast<float>(1 / ((1 - smooth) / factor + smooth)));
        }
    }
    return at::tensor(factors);
}

// DeepSeek's MLA and MoE keys. llama.cpp runs MLA absorbed, as one latent head of keys and values
// (key_length and value_length are the latent's; the per-head sizes go under *_mla).
void addMlaMetadata(GgufWriter& w, const ModelConfig& c, const std::string& a, const std::string& path)
{
    if (!c.rope_interleave)
        throw Error(path, "rope_interleave", "false has no GGUF key: llama.cpp rotates DeepSeek's rope pairwise");
    w.add(a + ".leading_dense_block_count", ggufUint32(c.first_k_dense_replace));
    if (c.q_lora_rank > 0)
        w.add(a + ".attention.q_lora_rank", ggufUint32(c.q_lora_rank));
    w.add(a + ".attention.kv_lora_rank", ggufUint32(c.kv_lora_rank));
    w.add(a + ".attention.key_length", ggufUint32(c.kv_lora_rank + c.qk_rope_head_dim));
    w.add(a + ".attention.value_length", ggufUint32(c.kv_lora_rank));
    w.add(a + ".attention.key_length_mla", ggufUint32(c.qk_nope_head_dim + c.qk_rope_head_dim));
    w.add(a + ".attention.value_length_mla", ggufUint32(c.v_head_dim));
    w.add(a + ".rope.dimension_count", ggufUint32(c.qk_rope_head_dim));
    w.add(a + ".expert_feed_forward_length", ggufUint32(c.moe_intermediate_size));
    w.add(a + ".expert_count", ggufUint32(c.n_routed_experts));
    w.add(a + ".expert_used_count", ggufUint32(c.num_experts_per_tok));
    w.add(a + ".expert_shared_count", ggufUint32(c.n_shared_experts));
    w.add(a + ".expert_weights_scale", ggufFloat32(c.routed_scaling_factor));
    w.add(a + ".expert_weights_norm", ggufBool(c.norm_topk_prob));
    // llama_expert_gating_func_type: 1 softmax, 2 sigmoid.
    w.add(a + ".expert_gating_func", ggufUint32(c.scoring_func == ScoringFunction::Softmax ? 1 : 2));
    w.add(a + ".expert_group_count", ggufUint32(c.n_group));
    w.add(a + ".expert_group_used_count", ggufUint32(c.topk_group));
}

void addYarnMetadata(GgufWriter& w, const ModelConfig& c, const std::string& a, const std::string& path)
{
    const auto& p = c.rope_parameters;
    if (p.contains("attention_factor"))
        throw Error(path, "rope_parameters.attention_factor", "has no GGUF key llama.cpp reads");
    w.add(a + ".rope.scaling.type", ggufString("yarn"));
    w.add(a + ".rope.scaling.factor", ggufFloat32(p.value("factor", 1.0)));
    w.add(a + ".rope.scaling.original_context_length",
          ggufUint32(p.value("original_max_position_embeddings", c.max_position_embeddings)));
    if (p.value("beta_fast", 32.0) != 32.0)
        w.add(a + ".rope.scaling.yarn_beta_fast", ggufFloat32(p.value("beta_fast", 32.0)));
    if (p.value("beta_slow", 1.0) != 1.0)
        w.add(a + ".rope.scaling.yarn_beta_slow", ggufFloat32(p.value("beta_slow", 1.0)));
    // DeepSeek's mscale: the converter stores 0.1 * mscale_all_dim, one value for both factors.
    const double all = p.value("mscale_all_dim", 0.0);
    if (p.value("mscale", all) != all)
        throw Error(path, "rope_parameters.mscale",
                    "differs from mscale_all_dim; GGUF holds one (yarn_log_multiplier)");
    if (all != 0)
        w.add(a + ".rope.scaling.yarn_log_multiplier", ggufFloat32(0.1 * all));
}

void addModelMetadata(GgufWriter& w, const ModelConfig& c, GgufExportType type, const std::string& path)
{
    const std::string a = c.isMla() ? "deepseek2" : c.model_type;
    w.add("general.architecture", ggufString(a));
    w.add("general.file_type", ggufUint32(fileType(type)));
    w.add(a + ".context_length", ggufUint32(c.max_position_embeddings));
    w.add(a + ".embedding_length", ggufUint32(c.hidden_size));
    w.add(a + ".block_count", ggufUint32(c.num_hidden_layers));
    w.add(a + ".feed_forward_length", ggufUint32(c.intermediate_size));
    w.add(a + ".attention.head_count", ggufUint32(c.num_attention_heads));
    w.add(a + ".attention.head_count_kv", ggufUint32(c.isMla() ? 1 : c.num_key_value_heads));
    w.add(a + ".rope.freq_base", ggufFloat32(c.rope_theta));
    w.add(a + ".attention.layer_norm_rms_epsilon", ggufFloat32(c.rms_norm_eps));
    w.add(a + ".vocab_size", ggufUint32(c.vocab_size));
    if (c.isMla()) {
        addMlaMetadata(w, c, a, path);
    } else {
        w.add(a + ".rope.dimension_count", ggufUint32(c.head_dim));
        if (c.head_dim * c.num_attention_heads != c.hidden_size) {
            w.add(a + ".attention.key_length", ggufUint32(c.head_dim));
            w.add(a + ".attention.value_length", ggufUint32(c.head_dim));
        }
    }
    if (c.rope_type == "yarn")
        addYarnMetadata(w, c, a, path);
}

// A weight's values, read when called: in its stored dtype where torch has one (f32, bf16, f16: no
// copy), in f32 for GGUF blocks; writeTensor widens them piece by piece.
using WeightSource = std::function<at::Tensor()>;

// A weight of the model as stored: its shape, how to read it whole (for the exports that reshape it:
// llama's q/k order, MLA's kv_b split, expert stacks), and for GGUF blocks how to read a piece of
// its rows, so that a tensor written as it is never lies decoded whole in f32 (the 1.5B's Q8_0
// vocabulary matrix is 933 MB so).
struct StoredWeight {
    std::vector<int64_t> shape;
    WeightSource whole;
    RowReader rows; // empty: writeTensor pieces what `whole` gives
};

// Every weight of `model` by Hugging Face name: a model loaded for inference keeps its projections
// as stored (GGUF blocks, a bf16 folder's bf16), so an export holds the model at its stored size
// plus what one piece of a tensor is being encoded into.
std::map<std::string, StoredWeight> storedWeights(const Transformer& model)
{
    std::map<std::string, StoredWeight> weights;
    for (const auto& [name, t] : model.namedParameters())
        weights[name] = {t.sizes().vec(), [t] { return t.detach(); }, {}};
    for (const auto& [name, w] : model.quantizedWeights()) {
        StoredWeight& stored = weights[name];
        stored.shape = {w.rows(), w.cols()};
        if (!w.isQuantized()) {
            stored.whole = [&w] { return w.dense().detach(); };
            continue;
        }
        const QuantizedMatrix& m = w.quantized();
        if (const std::optional<at::ScalarType> dtype = elementDtype(m.type)) {
            stored.whole = [&m, dtype = *dtype] {
                return at::from_blob(const_cast<uint8_t*>(m.data), {m.rows, m.cols}, dtype);
            };
            continue;
        }
        stored.rows = [&m](int64_t first, int64_t count) {
            at::Tensor out = at::empty({count, m.cols}, at::kFloat);
            dequantize(m.type, m.data + first * m.rowBytes(), count * m.cols, out.data_ptr<float>());
            return out;
        };
        stored.whole = [read = stored.rows, &m] { return read(0, m.rows); };
    }
    return weights;
}

} // namespace

std::optional<GgufExportType> ggufExportTypeNamed(const std::string& name)
{
    const std::pair<const char*, GgufExportType> types[] = {{"f32", GgufExportType::F32},
                                                            {"f16", GgufExportType::F16},
                                                            {"bf16", GgufExportType::BF16},
                                                            {"q8_0", GgufExportType::Q8_0},
                                                            {"q4_k_m", GgufExportType::Q4_K_M}};
    // Any case: llama.cpp, LM Studio and Ollama spell them "Q4_K_M", "Q8_0", "F16".
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    for (const auto& [n, type] : types)
        if (lower == n)
            return type;
    return std::nullopt;
}

void exportGguf(const Transformer& model, const Tokenizer* tokenizer, const std::string& path, GgufExportType type,
                const GgufWriter::Progress& progress)
{
    const ModelConfig& c = model.config();
    if (c.model_type != "qwen2" && c.model_type != "llama" && c.model_type != "deepseek_v3")
        throw Error(path, "",
                    "GGUF export of " + c.model_type + " models is not supported (qwen2, llama, deepseek_v3)");
    GgufWriter writer;
    addModelMetadata(writer, c, type, path);
    if (tokenizer)
        addTokenizerMetadata(writer, *tokenizer, c.vocab_size);
    // Each tensor is read and encoded only when the writer reaches it; then the pages it was read
    // from go back to the page cache (a model loaded for WeightUse::Export), so the export holds about
    // one tensor of its input, not the whole file.
    // rows: where given, the tensor is read a piece of rows at a time instead of whole.
    auto add = [&](const std::string& name, std::vector<int64_t> shape, WeightSource source, RowReader rows = {}) {
        const GgmlType as = tensorType(name, shape, type, c);
        const int64_t cols = shape.empty() ? 1 : shape.back();
        const int64_t rowCount =
            shape.empty() ? 1 : std::accumulate(shape.begin(), shape.end() - 1, int64_t{1}, std::multiplies<>());
        writer.addTensor(name, as, std::move(shape),
                         [source = std::move(source), rows = std::move(rows), as, name, path, &model, cols,
                          rowCount](std::ostream& out) {
                             try {
                                 if (rows)
                                     writeTensorRows(out, rowCount, cols, rows, as);
                                 else
                                     writeTensor(out, source(), as);
                             } catch (const Error& e) {
                                 throw Error(path, "tensor " + name, e.place() + ": " + e.message());
                             }
                             model.releaseFilePages();
                         });
    };
    auto addNow = [&](const std::string& name, const at::Tensor& t) { add(name, t.sizes().vec(), [t] { return t; }); };
    if (c.rope_parameters.contains("freq_factors"))
        addNow("rope_freqs.weight",
               at::tensor(c.rope_parameters["freq_factors"].get<std::vector<double>>(), at::kFloat));
    else if (c.rope_type == "llama3")
        addNow("rope_freqs.weight", llama3Factors(c));
    const auto names = ggufTensorNames(c);
    // Stacked tensor -> one expert's shape and the experts in order.
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<WeightSource>>> experts;
    for (auto& [name, weight] : storedWeights(model)) {
        auto& [shape, source, rows] = weight;
        const GgufTensorRef& ref = names.at(name);
        if (ref.expert >= 0) {
            auto& [expertShape, stack] = experts[ref.name];
            expertShape = shape;
            stack.resize(static_cast<size_t>(c.n_routed_experts));
            stack[static_cast<size_t>(ref.expert)] = std::move(source);
        } else if (name.ends_with("self_attn.kv_b_proj.weight")) {
            // [heads * (nope + v), latent] as llama.cpp's attn_k_b [heads, latent, nope] and attn_v_b
            // [heads, v, latent].
            const int64_t heads = c.num_attention_heads, nope = c.qk_nope_head_dim, v = c.v_head_dim;
            const int64_t latent = shape.back();
            auto headed = [source, heads, nope, v] { return source().view({heads, nope + v, -1}); };
            const std::string block = ref.name.substr(0, ref.name.find("attn_kv_b"));
            add(block + "attn_k_b.weight", {heads, latent, nope},
                [headed, nope] { return headed().narrow(1, 0, nope).transpose(1, 2).contiguous(); });
            add(block + "attn_v_b.weight", {heads, v, latent},
                [headed, nope, v] { return headed().narrow(1, nope, v).contiguous(); });
        } else {
            const bool q = name.find("self_attn.q_proj.") != std::string::npos;
            if (c.model_type == "llama" && (q || name.find("self_attn.k_proj.") != std::string::npos)) {
                const int64_t heads = q ? c.num_attention_heads : c.num_key_value_heads;
                source = [source = std::move(source), heads] { return permute(source(), heads); };
                rows = {};
            }
            add(ref.name, shape, std::move(source), std::move(rows));
        }
    }
    for (auto& [name, expert] : experts) {
        auto& [shape, stack] = expert;
        shape.insert(shape.begin(), static_cast<int64_t>(stack.size()));
        add(name, shape, [stack = std::move(stack)] {
            std::vector<at::Tensor> each;
            for (const WeightSource& source : stack)
                each.push_back(source());
            return at::stack(each);
        });
    }
    writer.write(path, progress);
}

} // namespace thinkbench::core
