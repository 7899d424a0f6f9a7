#include "core/model/rope.h"

#include "core/model/model_config.h"
#include "core/parallel_grain.h"

#include <torch/torch.h>

#include <cmath>

namespace thinkbench::core {

namespace {

double yarnMscale(double scale, double mscale)
{
    return scale <= 1.0 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0;
}

double param(const ModelConfig& c, const char* key, double fallback)
{
    const auto& p = c.rope_parameters;
    return p.contains(key) && p[key].is_number() ? p[key].get<double>() : fallback;
}

} // namespace

RopeTables ropeTables(const ModelConfig& c)
{
    const int64_t dim = c.head_dim; // deepseek_v3: qk_rope_head_dim
    const at::Tensor exponents = at::arange(0, dim, 2, at::kFloat) / static_cast<double>(dim);
    at::Tensor invFreq = 1.0 / at::pow(c.rope_theta, exponents);
    RopeTables tables;
    const double qkHead = c.isMla() ? c.qk_nope_head_dim + c.qk_rope_head_dim : c.head_dim;
    tables.softmaxScale = 1.0 / std::sqrt(qkHead);

    if (c.rope_type == "llama3") {
        const double factor = param(c, "factor", 8.0);
        const double low = param(c, "low_freq_factor", 1.0);
        const double high = param(c, "high_freq_factor", 4.0);
        const double original = param(c, "original_max_position_embeddings", 8192);
        const double lowWavelen = original / low, highWavelen = original / high;
        const at::Tensor wavelen = 2 * M_PI / invFreq;
        at::Tensor scaled = at::where(wavelen > lowWavelen, invFreq / factor, invFreq);
        const at::Tensor smooth = (original / wavelen - low) / (high - low);
        const at::Tensor smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
        const at::Tensor medium = (wavelen >= highWavelen) & (wavelen <= lowWavelen);
        invFreq = at::where(medium, smoothed, scaled);
    } else if (c.rope_type == "yarn") {
        const double original = param(c, "original_max_position_embeddings", c.max_position_embeddings);
        // As HF: the ratio of the two lengths stands in only for a null factor.
        const double factor = param(c, "factor", c.max_position_embeddings / original);
        const double mscale = param(c, "mscale", 0.0), mscaleAll = param(c, "mscale_all_dim", 0.0);
        const double betaFast = param(c, "beta_fast", 32.0), betaSlow = param(c, "beta_slow", 1.0);
        tables.attentionScale = c.rope_parameters.contains("attention_factor") ? param(c, "attention_factor", 1.0)
                                : (mscale != 0 && mscaleAll != 0)
                                    ? yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAll)
                                    : yarnMscale(factor, 1.0);
        auto correctionDim = [&](double rotations) {
            return dim * std::log(original / (rotations * 2 * M_PI)) / (2 * std::log(c.rope_theta));
        };
        const bool truncate = !c.rope_parameters.contains("truncate") || c.rope_parameters["truncate"].get<bool>();
        double lowDim = correctionDim(betaFast), highDim = correctionDim(betaSlow);
        if (truncate) {
            lowDim = std::floor(lowDim);
            highDim = std::ceil(highDim);
        }
        lowDim = std::max(lowDim, 0.0);
        highDim = std::min(highDim, static_cast<double>(dim - 1));
        if (lowDim == highDim)
            highDim += 0.001;
        const at::Tensor ramp = ((at::arange(dim / 2, at::kFloat) - lowDim) / (highDim - lowDim)).clamp(0, 1);
        const at::Tensor extrapolation = 1 - ramp;
        const at::Tensor interpolated = invFreq / factor;
        invFreq = interpolated * (1 - extrapolation) + invFreq * extrapolation;
        // MLA scales attention logits by mscale(factor, mscale_all_dim) squared.
        if (c.isMla() && mscaleAll != 0) {
            const double m = yarnMscale(factor, mscaleAll);
            tables.softmaxScale *= m * m;
        }
    }
    // A GGUF file's per-frequency divisors (how llama.cpp stores llama3 scaling); checked by ModelConfig.
    if (c.rope_parameters.contains("freq_factors"))
        invFreq = invFreq / at::tensor(c.rope_parameters["freq_factors"].get<std::vector<double>>(), at::kFloat);
    tables.invFreq = invFreq.contiguous();
    return tables;
}

RopeAngles ropeAngles(const at::Tensor& invFreq, const at::Tensor& positions, double scale, at::ScalarType dtype)
{
    const at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * invFreq; // [B, T, D/2]
    const at::Tensor emb = at::cat({freqs, freqs}, -1).unsqueeze(1);           // [B, 1, T, D]
    return {(emb.cos() * scale).to(dtype), (emb.sin() * scale).to(dtype)};
}

namespace {

// Whether ropeRows serves: the halves layout on the CPU in f32 or bf16, x [B, H, T, D] with rows of
// unit stride, the angles [B, 1, T, D] as ropeAngles makes them, no gradient wanted.
bool rowLoopServes(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, bool interleaved)
{
    const bool sameDtype = x.scalar_type() == cos.scalar_type() && x.scalar_type() == sin.scalar_type();
    return !interleaved && x.device().is_cpu() && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16) &&
           sameDtype && x.dim() == 4 && x.stride(3) == 1 && x.size(3) % 2 == 0 && cos.is_contiguous() &&
           sin.is_contiguous() && cos.sizes() == sin.sizes() &&
           cos.sizes() == at::IntArrayRef{x.size(0), 1, x.size(2), x.size(3)} &&
           !(at::GradMode::is_enabled() && (x.requires_grad() || cos.requires_grad() || sin.requires_grad()));
}

// x cos + rotate(x) sin, rounded to Scalar where the tensor ops round: each product, then their sum.
template <class Scalar> void rotateRow(const Scalar* in, const Scalar* c, const Scalar* s, Scalar* o, int64_t d)
{
    auto term = [](float a, float b) { return static_cast<float>(static_cast<Scalar>(a * b)); };
    const int64_t half = d / 2;
    for (int64_t i = 0; i < half; ++i) {
        const float x1 = static_cast<float>(in[i]), x2 = static_cast<float>(in[i + half]);
        o[i] = static_cast<Scalar>(term(x1, static_cast<float>(c[i])) + term(-x2, static_cast<float>(s[i])));
        o[i + half] =
            static_cast<Scalar>(term(x2, static_cast<float>(c[i + half])) + term(x1, static_cast<float>(s[i + half])));
    }
}

template <class Scalar>
void ropeRows(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, at::Tensor& out)
{
    const int64_t H = x.size(1), T = x.size(2), D = x.size(3);
    at::parallel_for(0, x.size(0) * H * T, parallelGrain(D), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t b = row / (H * T), h = row / T % H, t = row % T;
            rotateRow(x.const_data_ptr<Scalar>() + b * x.stride(0) + h * x.stride(1) + t * x.stride(2),
                      cos.const_data_ptr<Scalar>() + (b * T + t) * D, sin.const_data_ptr<Scalar>() + (b * T + t) * D,
                      out.data_ptr<Scalar>() + b * out.stride(0) + h * out.stride(1) + t * out.stride(2), D);
        }
    });
}

} // namespace

void rotateHalves(const float* in, const float* cos, const float* sin, float* out, int64_t d)
{
    rotateRow(in, cos, sin, out, d);
}

void rotateHalves(const c10::BFloat16* in, const c10::BFloat16* cos, const c10::BFloat16* sin, c10::BFloat16* out,
                  int64_t d)
{
    rotateRow(in, cos, sin, out, d);
}

at::Tensor applyRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, bool interleaved)
{
    // A decode step rotates one row per head: the tensor ops below, five for q and five for k, cost
    // more in dispatch than in arithmetic, on the thread the others wait for.
    if (rowLoopServes(x, cos, sin, interleaved)) {
        at::Tensor out = at::empty_like(x);
        if (x.scalar_type() == at::kFloat)
            ropeRows<float>(x, cos, sin, out);
        else
            ropeRows<c10::BFloat16>(x, cos, sin, out);
        return out;
    }
    at::Tensor v = x;
    const int64_t d = x.size(-1);
    if (interleaved) // (x0, x1, x2, x3, ...) -> (x0, x2, ..., x1, x3, ...), then rotate halves
        v = x.unflatten(-1, {d / 2, 2}).transpose(-1, -2).reshape(x.sizes());
    const at::Tensor x1 = v.narrow(-1, 0, d / 2), x2 = v.narrow(-1, d / 2, d / 2);
    const at::Tensor rotated = at::cat({-x2, x1}, -1);
    return v * cos + rotated * sin;
}

} // namespace thinkbench::core
