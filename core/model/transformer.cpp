#include "core/model/transformer.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/gguf/gguf_model.h"
#include "core/model/attention_gqa.h"
#include "core/model/attention_mla.h"
#include "core/model/layers.h"
#include "core/model/moe.h"
#include "core/model/rope.h"
#include "core/model/safetensors.h"
#include "core/model/tensor_names.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace thinkbench::core {

namespace {

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// A model for inference or export on the CPU computes with the file's bytes where they lie in memory.
bool readsInPlace(WeightUse use, at::Device device)
{
    return use != WeightUse::Training && device.is_cpu();
}

// A weight that is NaN or infinite poisons every output silently (a diverged run's checkpoint, a
// bad conversion): refused on load with the tensor, the file and the first bad element. Each piece
// checked is given back to `pages` (MappedFile::release), so checking a table left in the page cache
// (an untied embedding) does not bring it into memory.
void requireFinite(const at::Tensor& t, const std::string& file, const std::string& name, const MappedFile& pages)
{
    if (!at::isFloatingType(t.scalar_type()))
        return;
    // In chunks, so checking a large tensor allocates nothing of its size.
    constexpr int64_t kChunk = int64_t{1} << 20;
    const at::Tensor flat = t.reshape({-1});
    bool finite = true;
    for (int64_t i = 0; finite && i < flat.numel(); i += kChunk) {
        const at::Tensor chunk = flat.narrow(0, i, std::min(kChunk, flat.numel() - i));
        finite = at::isfinite(chunk).all().item<bool>();
        pages.release(static_cast<const char*>(chunk.const_data_ptr()), chunk.nbytes());
    }
    if (finite)
        return;
    const at::Tensor bad = at::logical_not(at::isfinite(t));
    const int64_t count = bad.sum().item<int64_t>();
    if (count == 0)
        return;
    // nonzero() may lay its rows out by column: the first row, made contiguous, is the position.
    const at::Tensor first = bad.nonzero()[0].contiguous();
    std::vector<int64_t> where(first.data_ptr<int64_t>(), first.data_ptr<int64_t>() + first.numel());
    const double value = t.masked_select(bad)[0].item<double>();
    throw Error(file, "tensor " + name,
                std::to_string(count) + " of " + std::to_string(t.numel()) +
                    " values are not finite (NaN or Inf), the first (" + std::to_string(value) + ") at " +
                    shapeText(where));
}

// The same for a quantized matrix, row by row, in pieces of about 4 MiB.
void requireFinite(const QuantizedMatrix& w, const std::string& file, const std::string& name, const MappedFile& pages)
{
    const int64_t rowBytes = w.rowBytes(), pieceRows = std::max<int64_t>(1, (int64_t{4} << 20) / rowBytes);
    std::atomic<int64_t> firstBad{w.rows};
    for (int64_t piece = 0; piece < w.rows && firstBad == w.rows; piece += pieceRows) {
        const int64_t pieceEnd = std::min(w.rows, piece + pieceRows);
        at::parallel_for(piece, pieceEnd, 16, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end && r < firstBad; ++r) {
                if (!allFinite(w.type, w.data + r * rowBytes, w.cols)) {
                    int64_t seen = firstBad;
                    while (r < seen && !firstBad.compare_exchange_weak(seen, r)) {
                    }
                }
            }
        });
        pages.release(reinterpret_cast<const char*>(w.data + piece * rowBytes),
                      static_cast<size_t>((pieceEnd - piece) * rowBytes));
    }
    if (firstBad < w.rows)
        throw Error(file, "tensor " + name,
                    "row " + std::to_string(firstBad.load()) + " holds values that are not finite (NaN or Inf)");
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

Transformer Transformer::load(const std::string& path, at::ScalarType dtype, at::Device device, WeightUse use)
{
    namespace fs = std::filesystem;
    // Read in place for inference, the file's bytes go onto huge pages (MappedFile), all but those of
    // the weights a forward only looks rows up in: of those a run reads a few rows, which the page
    // cache serves. An export reads every weight once, from the page cache.
    const bool onHugePages = use == WeightUse::Inference && device.is_cpu();
    if (isGgufPath(path)) {
        auto file = std::make_shared<GgufFile>(path);
        const ModelConfig config = ggufModelConfig(*file);
        if (onHugePages) {
            const std::map<std::string, GgufTensorRef> ggufNames = ggufTensorNames(config);
            std::set<std::string> leftMapped;
            for (const std::string& name : lookupOnlyWeights(config))
                leftMapped.insert(ggufNames.at(name).name);
            file->readIntoHugePages(leftMapped);
        }
        return loadTensors(config, GgufCheckpoint(file, config), path, dtype, device, use);
    }
    if (!fs::exists(path)) // a mistyped .gguf path is not "a folder without config.json"
        throw Error(path, "", "no such file or folder");
    const fs::path configPath = fs::path(path) / "config.json";
    if (!fs::exists(configPath))
        throw Error(path, "", "not a model folder: config.json is missing");
    const ModelConfig config = ModelConfig::fromFile(configPath.string());
    CheckpointReader reader(path);
    if (onHugePages)
        reader.readIntoHugePages(lookupOnlyWeights(config));
    return loadTensors(config, reader, path, dtype, device, use);
}

template <typename Reader>
Transformer Transformer::loadTensors(const ModelConfig& config, const Reader& reader, const std::string& dir,
                                     at::ScalarType dtype, at::Device device, WeightUse use)
{
    Transformer model;
    model.config_ = config;
    model.dtype_ = dtype;
    const auto expected = expectedTensors(model.config_);
    const bool inPlace = readsInPlace(use, device);
    const std::set<std::string> linear = inPlace ? linearWeightNames(config) : std::set<std::string>{};
    const std::set<std::string> lookupOnly = inPlace ? lookupOnlyWeights(config) : std::set<std::string>{};
    for (const auto& [name, shape] : expected) {
        if (!reader.contains(name))
            throw Error(dir, "tensor " + name,
                        "missing from the checkpoint (the config implies shape " + shapeText(shape) + ")");
        const TensorEntry& entry = reader.entry(name);
        if (entry.shape != shape)
            throw Error(reader.fileOf(name), "tensor " + name,
                        "has shape " + shapeText(entry.shape) + ", the config implies " + shapeText(shape));
        const std::shared_ptr<const MappedFile> pages = reader.mappingOf(name);
        if (inPlace && std::find(model.files_.begin(), model.files_.end(), pages) == model.files_.end())
            model.files_.push_back(pages);
        if (lookupOnly.count(name))
            model.embeddingPages_ = pages;
        if (std::optional<QuantizedMatrix> q = linear.count(name) ? reader.quantized(name, dtype) : std::nullopt) {
            requireFinite(*q, reader.fileOf(name), name, *pages);
            model.quantized_.emplace(name, LinearWeight(std::move(*q), reader.fileOf(name)));
            continue;
        }
        // In place, a tensor stored in the model's dtype is the mapped bytes; .to() below copies only
        // what it converts.
        at::Tensor t = inPlace ? reader.view(name) : reader.tensor(name);
        requireFinite(t, reader.fileOf(name), name, *pages);
        t = t.to(device);
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
        int layer = -1; // "model.layers.x.y" has none: unexpected below, not std::stoi's exception
        if (name.rfind("model.layers.", 0) == 0)
            std::from_chars(name.data() + 13, name.data() + name.size(), layer);
        if (layer >= model.config_.num_hidden_layers)
            continue;
        throw Error(reader.fileOf(name), "tensor " + name, "unexpected: the config implies no such tensor");
    }
    model.bindLayers();
    return model;
}

void Transformer::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    if (!quantized_.empty())
        throw Error(dir, "tensor " + quantized_.begin()->first,
                    "is quantized (the model was loaded for inference): only a model loaded for training can be saved");
    fs::create_directories(dir);
    nlohmann::json config = config_.toJson();
    config["torch_dtype"] = dtype_ == at::kBFloat16 ? "bfloat16" : dtype_ == at::kHalf ? "float16" : "float32";
    writeFileAtomically(fs::path(dir) / "config.json", [&](std::ostream& out) { out << config.dump(2) << "\n"; });
    writeSafetensors((fs::path(dir) / "model.safetensors").string(), params_);
}

void Transformer::releaseFilePages() const
{
    for (const std::shared_ptr<const MappedFile>& file : files_)
        file->release(file->data(), file->size());
}

at::Device Transformer::device() const
{
    return params_.at("model.norm.weight").device();
}

void Transformer::bindLayers()
{
    layers_ = std::make_shared<std::vector<Layer>>(static_cast<size_t>(config_.num_hidden_layers));
    for (int l = 0; l < config_.num_hidden_layers; ++l)
        bindLayerTensors((*layers_)[static_cast<size_t>(l)], config_, l, params_, quantized_);
    auto weight = [&](const std::string& name) {
        auto it = quantized_.find(name);
        return it == quantized_.end() ? LinearWeight(params_.at(name)) : it->second;
    };
    embedding_ = weight("model.embed_tokens.weight");
    if (embeddingPages_)
        embedding_.giveBackPagesAfterLookup(embeddingPages_);
    head_ = config_.tie_word_embeddings ? embedding_ : weight("lm_head.weight");
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
    for (const auto& [name, w] : quantized_)
        n += w.rows() * w.cols();
    return n;
}

double Transformer::flopsPerToken(int64_t context) const
{
    const ModelConfig& c = config_;
    double matmulParams = 0;
    auto count = [&](const std::string& name, int64_t rows, int64_t cols) {
        if (name != "model.embed_tokens.weight" && name.find(".experts.") == std::string::npos)
            matmulParams += static_cast<double>(rows) * static_cast<double>(cols);
    };
    for (const auto& [name, t] : params_)
        if (t.dim() == 2)
            count(name, t.size(0), t.size(1));
    for (const auto& [name, w] : quantized_)
        count(name, w.rows(), w.cols());
    if (c.tie_word_embeddings)
        matmulParams += static_cast<double>(c.vocab_size) * c.hidden_size;
    // Activated routed experts per MoE layer.
    matmulParams +=
        static_cast<double>(c.numMoeLayers()) * c.num_experts_per_tok * 3.0 * c.moe_intermediate_size * c.hidden_size;
    const double qk = c.isMla() ? c.qk_nope_head_dim + c.qk_rope_head_dim : c.head_dim;
    const double v = c.isMla() ? c.v_head_dim : c.head_dim;
    const double attention = static_cast<double>(c.num_hidden_layers) * c.num_attention_heads * (qk + v) * context;
    return 2.0 * (matmulParams + attention);
}

Transformer Transformer::clone() const
{
    Transformer copy;
    copy.config_ = config_;
    copy.dtype_ = dtype_;
    for (const auto& [name, t] : params_)
        copy.params_[name] = t.detach().clone();
    copy.quantized_ = quantized_; // read-only: shared
    copy.embeddingPages_ = embeddingPages_;
    copy.files_ = files_;
    copy.bindLayers();
    return copy;
}

// ---------------------------------------------------------------------------------------------
// Forward

ForwardOutput Transformer::forward(const at::Tensor& inputIds, const ForwardOptions& options) const
{
    const ModelConfig& c = config_;
    const int64_t B = inputIds.size(0), T = inputIds.size(1);
    const at::Device dev = device();
    KvCache* cache = options.cache;
    ForwardContext ctx;
    ctx.past = cache ? cache->length : 0;
    const int64_t S = ctx.past + T;
    if (cache && S > cache->capacity)
        throw Error("", "kv cache", "capacity " + std::to_string(cache->capacity) + " exceeded");

    // Which keys are real tokens, and the rope position of each new token.
    at::Tensor newValid =
        options.attentionMask.defined()
            ? options.attentionMask.narrow(1, options.attentionMask.size(1) - T, T).to(dev).to(at::kBool)
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
    const at::Tensor positions = (pastCount + newValid.to(at::kLong).cumsum(1) - 1).clamp_min(0); // [B, T]
    const RopeAngles angles = ropeAngles(invFreq_, positions, ropeAttentionScale_, dtype_);
    ctx.cos = angles.cos;
    ctx.sin = angles.sin;

    const at::Tensor queryIndex =
        at::arange(ctx.past, S, at::TensorOptions().dtype(at::kLong).device(dev)).view({T, 1});
    const at::Tensor keyIndex = at::arange(0, S, at::TensorOptions().dtype(at::kLong).device(dev)).view({1, S});
    const at::Tensor allowed = (keyIndex <= queryIndex).unsqueeze(0) & keyValid.unsqueeze(1);
    // A finite minimum keeps fully masked rows (padding queries) from turning into NaN; -65000
    // still fits float16.
    const double masked = dtype_ == at::kHalf ? -65000.0 : -1e30;
    ctx.mask = at::zeros({B, T, S}, at::TensorOptions().dtype(at::kFloat).device(dev))
                   .masked_fill(allowed.logical_not(), masked)
                   .to(dtype_)
                   .unsqueeze(1);

    if (options.replay) {
        const auto moeLayers = std::count_if(layers_->begin(), layers_->end(), [](const Layer& L) { return L.moe; });
        if (std::ssize(options.replay->experts) != moeLayers)
            throw Error("", "routing replay",
                        std::to_string(options.replay->experts.size()) + " recorded layers for a model with " +
                            std::to_string(moeLayers) + " MoE layers");
    }
    at::Tensor h = embedding_.lookup(inputIds.to(dev), dtype_);
    ForwardOutput out;
    std::vector<at::Tensor> loads;
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const Layer& L = (*layers_)[static_cast<size_t>(l)];
        const at::Tensor normed = rmsNorm(h, L.inputNorm, c.rms_norm_eps);
        h = h + (c.isMla() ? attendMla(L, c, normed, ctx, cache, l, softmaxScale_)
                           : attendGqa(L, c, normed, ctx, cache, l, softmaxScale_));
        const at::Tensor post = rmsNorm(h, L.postNorm, c.rms_norm_eps);
        if (L.moe) {
            const bool replay = options.replay != nullptr;
            MoeTrace trace;
            h = h + moe(L, c, post, replay ? options.replay->experts.at(loads.size()) : at::Tensor(),
                        replay ? options.replay->recorded : at::Tensor(), trace);
            loads.push_back(trace.load);
            out.routerScores.push_back(trace.scores);
            out.routedExperts.push_back(trace.experts);
        } else {
            h = h + swiglu(post, L.gate, L.up, L.down);
        }
    }
    if (cache)
        cache->length = S;
    if (options.lastTokenOnly)
        h = h.narrow(1, T - 1, 1);
    h = rmsNorm(h, params_.at("model.norm.weight"), c.rms_norm_eps);
    out.logits = dense(h, head_);
    out.expertLoad = loads.empty() ? at::zeros({0, c.n_routed_experts}) : at::stack(loads);
    return out;
}

// ---------------------------------------------------------------------------------------------

KvCache KvCache::create(const ModelConfig& c, int64_t batch, int64_t capacity, at::ScalarType dtype, at::Device device)
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
