#include "core/gguf/gguf_export.h"

#include "core/error.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/gguf/gguf_writer.h"
#include "core/model/tensor_names.h"

#include <torch/torch.h>

#include <cmath>

namespace thinkbench::core {

namespace {

// llama_ftype of a whole file (general.file_type).
int fileType(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
        return 0;
    case GgmlType::F16:
        return 1;
    case GgmlType::Q8_0:
        return 7;
    case GgmlType::BF16:
        return 32;
    default:
        throw Error("", "",
                    "cannot export as " + ggmlTypeName(static_cast<uint32_t>(type)) + " (F32, F16, BF16, Q8_0)");
    }
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

void addModelMetadata(GgufWriter& w, const ModelConfig& c, GgmlType type)
{
    const std::string a = c.model_type;
    w.add("general.architecture", ggufString(a));
    w.add("general.file_type", ggufUint32(fileType(type)));
    w.add(a + ".context_length", ggufUint32(c.max_position_embeddings));
    w.add(a + ".embedding_length", ggufUint32(c.hidden_size));
    w.add(a + ".block_count", ggufUint32(c.num_hidden_layers));
    w.add(a + ".feed_forward_length", ggufUint32(c.intermediate_size));
    w.add(a + ".attention.head_count", ggufUint32(c.num_attention_heads));
    w.add(a + ".attention.head_count_kv", ggufUint32(c.num_key_value_heads));
    w.add(a + ".rope.freq_base", ggufFloat32(c.rope_theta));
    w.add(a + ".attention.layer_norm_rms_epsilon", ggufFloat32(c.rms_norm_eps));
    w.add(a + ".vocab_size", ggufUint32(c.vocab_size));
    w.add(a + ".rope.dimension_count", ggufUint32(c.head_dim));
    if (c.head_dim * c.num_attention_heads != c.hidden_size) {
        w.add(a + ".attention.key_length", ggufUint32(c.head_dim));
        w.add(a + ".attention.value_length", ggufUint32(c.head_dim));
    }
    if (c.rope_type == "yarn") {
        w.add(a + ".rope.scaling.type", ggufString("yarn"));
        w.add(a + ".rope.scaling.factor", ggufFloat32(c.rope_parameters.value("factor", 1.0)));
        w.add(a + ".rope.scaling.original_context_length",
              ggufUint32(c.rope_parameters.value("original_max_position_embeddings", c.max_position_embeddings)));
    }
}

} // namespace

void exportGguf(const Transformer& model, const Tokenizer* tokenizer, const std::string& path, GgmlType type)
{
    const ModelConfig& c = model.config();
    if (c.model_type != "qwen2" && c.model_type != "llama")
        throw Error(path, "", "GGUF export of " + c.model_type + " models is not supported (qwen2, llama)");
    if (c.rope_type == "yarn" && c.rope_parameters.contains("attention_factor"))
        throw Error(path, "rope_parameters.attention_factor", "has no GGUF key llama.cpp reads");
    GgufWriter writer;
    addModelMetadata(writer, c, type);
    if (tokenizer)
        addTokenizerMetadata(writer, *tokenizer);
    auto add = [&](const std::string& name, const at::Tensor& t) {
        GgmlType as = t.dim() == 1 ? GgmlType::F32 : type;
        if (as == GgmlType::Q8_0 && t.size(-1) % 32 != 0)
            as = GgmlType::F16;
        writer.addTensor(name, as, t.sizes().vec(), encodeTensor(t, as));
    };
    if (c.rope_parameters.contains("freq_factors"))
        add("rope_freqs.weight", at::tensor(c.rope_parameters["freq_factors"].get<std::vector<double>>(), at::kFloat));
    else if (c.rope_type == "llama3")
        add("rope_freqs.weight", llama3Factors(c));
    const auto names = ggufTensorNames(c);
    for (const auto& [name, t] : model.namedParameters()) {
        at::Tensor data = t.detach().to(at::kCPU).to(at::kFloat);
        const bool q = name.find("self_attn.q_proj.") != std::string::npos;
        if (c.model_type == "llama" && (q || name.find("self_attn.k_proj.") != std::string::npos))
            data = permute(data, q ? c.num_attention_heads : c.num_key_value_heads);
        add(names.at(name).name, data);
    }
    writer.write(path);
}

} // namespace thinkbench::core
