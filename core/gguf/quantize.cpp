#include "core/gguf/quantize.h"

#include "core/error.h"

#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace thinkbench::core {

namespace {

// Stores `value` as f16 at p and returns what a reader gets back, the scale every element is
// rounded against.
float storeHalf(uint8_t* p, float value)
{
    const c10::Half h(value);
    std::memcpy(p, &h.x, 2); // little-endian hosts only
    return static_cast<float>(h);
}

// std::lround of v clamped to [lo, hi], in float so that the searches below run in SIMD lanes: v plus
// the float just below 0.5, truncated, rounds halves away from zero exactly as lround does (checked on
// every float in [-256, 256]; what is rounded here lies within [-128, 127]).
inline float roundedClamped(float v, float lo, float hi)
{
    v = std::min(std::max(v, lo), hi);
    return static_cast<float>(static_cast<int>(v + std::copysign(0.49999997f, v)));
}

int roundClamped(float v, int lo, int hi)
{
    return static_cast<int>(roundedClamped(v, static_cast<float>(lo), static_cast<float>(hi)));
}

// The scale searches' inner loops run four lanes at a time (a sub-block is 16 or 32 elements) in
// GCC's vector extensions: left to itself GCC specialises them for each block type's constant range
// and turns the clamp into branches.
using Floats = float __attribute__((vector_size(16)));
using Ints = int32_t __attribute__((vector_size(16)));
using Doubles = double __attribute__((vector_size(16)));

Floats load4(const float* x)
{
    Floats v;
    std::memcpy(&v, x, sizeof v);
    return v;
}

Floats splat(float v)
{
    return Floats{} + v;
}

// roundedClamped() in each lane.
Floats roundedClamped(Floats v, Floats lo, Floats hi)
{
    const Ints sign = Ints{} + static_cast<int32_t>(0x80000000u), half = Ints{} + 0x3EFFFFFF; // 0.49999997f
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    const Floats nudge = reinterpret_cast<Floats>((reinterpret_cast<Ints>(v) & sign) | half);
    return __builtin_convertvector(__builtin_convertvector(v + nudge, Ints), Floats);
}

// Lanes 0-1 and 2-3 of v in double.
Doubles lowHalf(Floats v)
{
    return Doubles{v[0], v[1]};
}

Doubles highHalf(Floats v)
{
    return Doubles{v[2], v[3]};
}

double sum(Doubles v)
{
    return v[0] + v[1];
}

// Σq·x and Σq² over q = round(x·iscale) clamped to [lo, hi], lo = −hi − 1, and the scale s minimising
// Σ(x − s·q)² for those q (Σqx / Σq², whose error is Σx² − (Σqx)² / Σq²).
struct SymmetricFit {
    double gain = -1; // (Σqx)² / Σq²: the larger, the smaller the error
    float scale = 0;
};

SymmetricFit symmetricFit(const float* x, int n, float iscale, int lo, int hi)
{
    const Floats flo = splat(static_cast<float>(lo)), fhi = splat(static_cast<float>(hi));
    Doubles qx{}, qq{};
    for (int i = 0; i < n; i += 4) {
        const Floats xs = load4(x + i), q = roundedClamped(xs * iscale, flo, fhi);
        qx += lowHalf(q) * lowHalf(xs) + highHalf(q) * highHalf(xs);
        qq += lowHalf(q) * lowHalf(q) + highHalf(q) * highHalf(q);
    }
    const double sumQx = sum(qx), sumQq = sum(qq);
    if (sumQq <= 0)
        return {};
    return {sumQx * sumQx / sumQq, static_cast<float>(sumQx / sumQq)};
}

// The scale s minimising Σ(x − s·q)² over q = clamp(round(x/s), lo, hi): candidates near the one
// that puts the largest magnitude on lo (the longer end), each refitted by least squares.
float symmetricScale(const float* x, int n, int lo, int hi)
{
    float max = 0;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(max))
            max = x[i];
    if (max == 0)
        return 0;
    float best = max / static_cast<float>(lo), bestGain = -1;
    for (int k = -10; k <= 6; ++k) {
        const SymmetricFit fit =
            symmetricFit(x, n, static_cast<float>(lo) * (1 + 0.02f * static_cast<float>(k)) / max, lo, hi);
        if (fit.gain > bestGain) {
            bestGain = static_cast<float>(fit.gain);
            best = fit.scale;
        }
    }
    return best;
}

struct ScaleMin {
    float scale = 0, min = 0; // x ≈ scale·q − min, min ≥ 0
};

// Q4_K's sub-block fit: candidate steps near (max − min) / nmax, each assignment refitted by least
// squares for scale and offset (the offset held at zero when a positive one would be needed, since
// the format subtracts a non-negative min).
ScaleMin affineScale(const float* x, int n, int nmax)
{
    float lo = 0, hi = x[0];
    for (int i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    if (hi <= lo)
        return {0, -lo};
    ScaleMin best{(hi - lo) / static_cast<float>(nmax), -lo};
    double bestError = INFINITY, sx = 0;
    for (int i = 0; i < n; ++i)
        sx += x[i];
    const float top = static_cast<float>(nmax);
    for (int k = -10; k <= 10; ++k) {
        const float iscale = (top + 0.1f * static_cast<float>(k)) / (hi - lo);
        Floats q[8]; // n <= 32
        Doubles lanesQ{}, lanesQq{}, lanesQx{};
        for (int i = 0; i < n; i += 4) {
            const Floats xs = load4(x + i);
            q[i / 4] = roundedClamped((xs - lo) * iscale, splat(0), splat(top));
            lanesQ += lowHalf(q[i / 4]) + highHalf(q[i / 4]);
            lanesQq += lowHalf(q[i / 4]) * lowHalf(q[i / 4]) + highHalf(q[i / 4]) * highHalf(q[i / 4]);
            lanesQx += lowHalf(q[i / 4]) * lowHalf(xs) + highHalf(q[i / 4]) * highHalf(xs);
        }
        const double sq = sum(lanesQ), sqq = sum(lanesQq), sqx = sum(lanesQx);
        const double det = n * sqq - sq * sq;
        if (det <= 0)
            continue;
        double s = (n * sqx - sq * sx) / det, b = (sqq * sx - sq * sqx) / det;
        if (b > 0) {
            b = 0;
            s = sqx / sqq;
        }
        if (s <= 0)
            continue;
        Doubles lanesError{};
        for (int i = 0; i < n; i += 4) {
            const Floats xs = load4(x + i);
            const Doubles low = s * lowHalf(q[i / 4]) + b - lowHalf(xs),
                          high = s * highHalf(q[i / 4]) + b - highHalf(xs);
            lanesError += low * low + high * high;
        }
        const double error = sum(lanesError);
        if (error < bestError) {
            bestError = error;
            best = {static_cast<float>(s), static_cast<float>(-b)};
        }
    }
    return best;
}

// Q8_0 as ggml's quantize_row_q8_0_ref: d = max |x| / 127, q = round(x / d) half away from zero
// (x times 1/d in f32), d stored as f16.
void q8_0(const float* v, uint8_t* block)
{
    float amax = 0;
    for (int j = 0; j < 32; ++j)
        amax = std::max(amax, std::fabs(v[j]));
    const float d = amax / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    const uint16_t half = c10::Half(d).x;
    std::memcpy(block, &half, 2);
    for (int j = 0; j < 32; ++j)
        block[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::round(v[j] * id)));
}

// Q5_0: f16 d, 32 high bits, 16 bytes of nibbles (element j low nibble of byte j, j + 16 its high
// nibble); x = d·(q − 16).
void q5_0(const float* x, uint8_t* block)
{
    const float d = storeHalf(block, symmetricScale(x, 32, -16, 15));
    uint32_t qh = 0;
    uint8_t* qs = block + 6;
    for (int j = 0; j < 32; ++j) {
        const int q = (d != 0 ? roundClamped(x[j] / d, -16, 15) : 0) + 16;
        qs[j % 16] |= static_cast<uint8_t>((q & 0x0F) << (4 * (j / 16)));
        qh |= static_cast<uint32_t>(q >> 4) << j;
    }
    std::memcpy(block + 2, &qh, 4);
}

// Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins under f16 d and dmin; x = d·sc·q − dmin·m.
void q4_K(const float* x, uint8_t* block)
{
    ScaleMin fit[8];
    float maxScale = 0, maxMin = 0;
    for (int sub = 0; sub < 8; ++sub) {
        fit[sub] = affineScale(x + 32 * sub, 32, 15);
        maxScale = std::max(maxScale, fit[sub].scale);
        maxMin = std::max(maxMin, fit[sub].min);
    }
    const float d = storeHalf(block, maxScale / 63), dmin = storeHalf(block + 2, maxMin / 63);
    int sc[8], m[8];
    for (int sub = 0; sub < 8; ++sub) {
        sc[sub] = d > 0 ? roundClamped(fit[sub].scale / d, 0, 63) : 0;
        m[sub] = dmin > 0 ? roundClamped(fit[sub].min / dmin, 0, 63) : 0;
    }
    // Scales and mins 0-3 in the low six bits of bytes 0-3 and 4-7; those of 4-7 as low nibbles in
    // bytes 8-11 with their top two bits in the top bits of bytes 0-7.
    uint8_t* s = block + 4;
    for (int j = 0; j < 4; ++j) {
        s[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
        s[j + 4] = static_cast<uint8_t>(m[j] | ((m[j + 4] >> 4) << 6));
        s[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0x0F) | ((m[j + 4] & 0x0F) << 4));
    }
    uint8_t* qs = block + 16;
    for (int sub = 0; sub < 8; ++sub) {
        const float dl = d * static_cast<float>(sc[sub]), ml = dmin * static_cast<float>(m[sub]);
        for (int l = 0; l < 32; ++l) {
            const int q = dl > 0 ? roundClamped((x[32 * sub + l] + ml) / dl, 0, 15) : 0;
            qs[32 * (sub / 2) + l] |= static_cast<uint8_t>(q << (4 * (sub % 2)));
        }
    }
}

// Q6_K: 16 sub-blocks of 16 with signed 8-bit scales under an f16 d; x = d·sc·(q − 32), q in 6 bits
// split into low nibbles (128 bytes) and 2-bit highs (64 bytes) as dequantize.cpp reads them.
void q6_K(const float* x, uint8_t* block)
{
    float scales[16], largest = 0;
    for (int j = 0; j < 16; ++j) {
        scales[j] = symmetricScale(x + 16 * j, 16, -32, 31);
        if (std::fabs(scales[j]) > std::fabs(largest))
            largest = scales[j];
    }
    const float d = storeHalf(block + 208, largest / 127);
    auto* sc = reinterpret_cast<int8_t*>(block + 192);
    for (int j = 0; j < 16; ++j)
        sc[j] = static_cast<int8_t>(d != 0 ? roundClamped(scales[j] / d, -128, 127) : 0);
    uint8_t* ql = block;
    uint8_t* qh = block + 128;
    for (int e = 0; e < 256; ++e) {
        const float dl = d * static_cast<float>(sc[e / 16]);
        const int q = (dl != 0 ? roundClamped(x[e] / dl, -32, 31) : 0) + 32;
        const int half = e / 128, r = e % 128;
        ql[64 * half + r % 64] |= static_cast<uint8_t>((q & 0x0F) << (4 * (r / 64)));
        qh[32 * half + r % 32] |= static_cast<uint8_t>((q >> 4) << (2 * (r / 32)));
    }
}

} // namespace

std::string quantize(GgmlType type, const float* data, int64_t count, int64_t firstElement)
{
    void (*block)(const float*, uint8_t*) = nullptr;
    switch (type) {
    case GgmlType::Q8_0:
        block = q8_0;
        break;
    case GgmlType::Q5_0:
        block = q5_0;
        break;
    case GgmlType::Q4_K:
        block = q4_K;
        break;
    case GgmlType::Q6_K:
        block = q6_K;
        break;
    default:
        throw Error("", "quantize", "no quantizer for " + ggmlTypeName(static_cast<uint32_t>(type)));
    }
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(type));
    if (count % traits.blockElements != 0)
        throw Error("", traits.name,
                    std::to_string(count) + " elements are not whole blocks of " +
                        std::to_string(traits.blockElements));
    for (int64_t i = 0; i < count; ++i)
        if (!std::isfinite(data[i]))
            throw Error("", "element " + std::to_string(firstElement + i), "is not finite; cannot quantize it");
    const int64_t blocks = count / traits.blockElements;
    std::string out(static_cast<size_t>(blocks * traits.blockBytes), '\0');
    auto* bytes = reinterpret_cast<uint8_t*>(out.data());
    at::parallel_for(0, blocks, 16, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b)
            block(data + b * traits.blockElements, bytes + b * traits.blockBytes);
    });
    return out;
}

} // namespace thinkbench::core
