#include "core/model/decode_attention.h"

#include "core/model/rope.h"
#include "core/parallel_grain.h"

#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/BFloat16.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

namespace thinkbench::core {

namespace {

inline float asFloat(float x)
{
    return x;
}

inline float asFloat(c10::BFloat16 x)
{
    return static_cast<float>(x);
}

// A [B, heads, positions, d] tensor's rows (of unit stride) by pointer and element strides.
template <class T> struct Rows {
    const T* data = nullptr;
    int64_t batch = 0, head = 0, position = 0;

    const T* at(int64_t b, int64_t h) const { return data + b * batch + h * head; }
};

template <class T> Rows<T> rowsOf(const at::Tensor& t)
{
    return {t.const_data_ptr<T>(), t.stride(0), t.stride(1), t.stride(2)};
}

// What one call attends; the output is [B, heads, dv], contiguous.
template <class T, class M> struct OneQuery {
    Rows<T> q, k, v;
    Rows<M> mask; // additive, one value per key (position); data null for none
    T* out;
    int64_t B, heads, kvHeads, S, dk, dv;
    float scale;
};

// f(static_cast<T*>(nullptr)) with T the element type of an f32 or bf16 tensor.
template <class F> void forFloatOrBf16(at::ScalarType type, F&& f)
{
    if (type == at::kFloat)
        f(static_cast<float*>(nullptr));
    else
        f(static_cast<c10::BFloat16*>(nullptr));
}

// Eight floats in a vector register (GCC's and Clang's vector extensions): each ISA clone below
// compiles them to its own instructions, and as named values they stay in registers, where arrays
// of partial sums went to the stack on every add.
using Floats8 = float __attribute__((vector_size(32)));

// The helpers below take and return vectors but are always inlined into the ISA clones: no vector
// crosses a call, so GCC's note that an AVX-sized return changes the baseline ABI does not apply
// (given as the file's code is generated, at its end: off for the rest of the file).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

[[gnu::always_inline]] inline Floats8 load8(const float* p)
{
    Floats8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

[[gnu::always_inline]] inline Floats8 load8(const c10::BFloat16* p)
{
    using Halves8 = uint16_t __attribute__((vector_size(16)));
    using Words8 = uint32_t __attribute__((vector_size(32)));
    Halves8 h;
    std::memcpy(&h, p, sizeof h);
    const Words8 w = __builtin_convertvector(h, Words8) << 16; // a bf16 is a float's top half
    Floats8 v;
    std::memcpy(&v, &w, sizeof v);
    return v;
}

using Ints8 = int32_t __attribute__((vector_size(32)));

// e^x for x <= 0 (a score less the row's largest), eight at a time (std::exp one at a time was
// 10-25% of a 1000-key call): x = n ln2 + r with |r| <= ln2 / 2 (ln2 in two parts, so n ln2 is
// exact), e^r by its series to r^6, 2^n put in the exponent's bits: at most 2.5e-7 relative (~2
// ulp) over [-87, 0]. Below -87, where e^x leaves the normal floats, 0.
[[gnu::always_inline]] inline Floats8 expOfNonPositive(Floats8 x)
{
    const Ints8 inRange = x >= -87.0f; // all ones where true
    x = std::bit_cast<Floats8>((std::bit_cast<Ints8>(x) & inRange) |
                               (std::bit_cast<Ints8>(Floats8{} - 87.0f) & ~inRange));
    constexpr float kRound = 12582912.0f; // 1.5 * 2^23: adding and taking it away rounds to an integer
    const Floats8 n = (x * 1.44269504f + kRound) - kRound;
    const Floats8 r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    Floats8 p = r * (1.0f / 720) + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const Ints8 twoToN = (__builtin_convertvector(n, Ints8) + 127) << 23;
    return std::bit_cast<Floats8>(std::bit_cast<Ints8>(p * std::bit_cast<Floats8>(twoToN)) & inRange);
}

// s[j] = e^(s[j] - top) for j < S, every element through expOfNonPositive (the last few too, in a
// padded vector), so a key's weight does not depend on where it falls.
[[gnu::always_inline]] inline void exponentials(float* s, int64_t S, float top)
{
    int64_t j = 0;
    for (; j + 8 <= S; j += 8) {
        const Floats8 e = expOfNonPositive(load8(s + j) - top);
        std::memcpy(s + j, &e, sizeof e);
    }
    if (j < S) {
        Floats8 last = Floats8{} - 1e30f;
        std::memcpy(&last, s + j, static_cast<size_t>(S - j) * sizeof(float));
        const Floats8 e = expOfNonPositive(last - top);
        std::memcpy(s + j, &e, static_cast<size_t>(S - j) * sizeof(float));
    }
}

// Tile rows' sums over S, each in key order, Tile at once so the adds overlap.
template <int Tile> [[gnu::always_inline]] inline void rowSums(const float* p, int64_t S, float* out)
{
    float sum[Tile] = {};
    for (int64_t j = 0; j < S; ++j)
        for (int t = 0; t < Tile; ++t)
            sum[t] += p[t * S + j];
    for (int t = 0; t < Tile; ++t)
        out[t] = sum[t];
}

// Scaled dot products of Tile query rows (dk floats each, one after another) with one key row, into
// out[t * outStride]: eight partial sums each, added pairwise at the end (a fixed order, whatever
// the ISA), and Tile rows at once, so their sums are independent chains the CPU overlaps.
template <int Tile, class T>
[[gnu::always_inline]] inline void dots(const float* query, int64_t dk, const T* key, float scale, float* out,
                                        int64_t outStride)
{
    Floats8 lane[Tile] = {};
    int64_t d = 0;
    for (; d + 8 <= dk; d += 8) {
        const Floats8 k = load8(key + d);
        for (int t = 0; t < Tile; ++t)
            lane[t] += load8(query + t * dk + d) * k;
    }
    for (int t = 0; t < Tile; ++t) {
        const Floats8 l = lane[t];
        float sum = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
        for (int64_t e = d; e < dk; ++e)
            sum += query[t * dk + e] * asFloat(key[e]);
        out[t * outStride] = sum * scale;
    }
}

// sum_j p[t * S + j] * v_j for Tile rows of weights over the S value rows, into acc[t * dv, +dv):
// each element summed over the keys in order, in registers 16 columns at a time.
template <int Tile, class T>
[[gnu::always_inline]] inline void weightedSums(const float* p, int64_t S, const T* v, int64_t vRow, int64_t dv,
                                                float* acc)
{
    int64_t d0 = 0;
    for (; d0 + 16 <= dv; d0 += 16) {
        Floats8 low[Tile] = {}, high[Tile] = {};
        for (int64_t j = 0; j < S; ++j) {
            const Floats8 v0 = load8(v + j * vRow + d0), v1 = load8(v + j * vRow + d0 + 8);
            for (int t = 0; t < Tile; ++t) {
                const float pj = p[t * S + j];
                low[t] += pj * v0;
                high[t] += pj * v1;
            }
        }
        for (int t = 0; t < Tile; ++t) {
            std::memcpy(acc + t * dv + d0, &low[t], sizeof(Floats8));
            std::memcpy(acc + t * dv + d0 + 8, &high[t], sizeof(Floats8));
        }
    }
    for (int t = 0; t < Tile; ++t)
        for (int64_t d = d0; d < dv; ++d) {
            float sum = 0.0f;
            for (int64_t j = 0; j < S; ++j)
                sum += p[t * S + j] * asFloat(v[j * vRow + d]);
            acc[t * dv + d] = sum;
        }
}

// Tile heads' softmax denominators (sums of their weights) and their weighted sums of the values.
template <int Tile, class T>
[[gnu::always_inline]] inline void sumsOfHeads(const float* p, int64_t S, const T* v, int64_t vRow, int64_t dv,
                                               float* totals, float* acc)
{
    rowSums<Tile>(p, S, totals);
    weightedSums<Tile>(p, S, v, vRow, dv, acc);
}

// One kv head of one sequence with the query heads that read it, so each cached row is loaded once
// per step for all of them; the heads four at a time, then the rest at once.
template <class T, class M>
[[gnu::always_inline]] inline void attendItem(const OneQuery<T, M>& a, int64_t item, float* query, float* scores,
                                              float* sum)
{
    const int64_t b = item / a.kvHeads, g = item % a.kvHeads, group = a.heads / a.kvHeads, S = a.S;
    const T* kRows = a.k.at(b, g);
    const T* vRows = a.v.at(b, g);
    for (int64_t i = 0; i < group; ++i) {
        const T* qRow = a.q.at(b, g * group + i);
        for (int64_t d = 0; d < a.dk; ++d)
            query[i * a.dk + d] = asFloat(qRow[d]);
    }
    for (int64_t j = 0; j < S; ++j) {
        const T* kRow = kRows + j * a.k.position;
        int64_t i = 0;
        for (; i + 4 <= group; i += 4)
            dots<4>(query + i * a.dk, a.dk, kRow, a.scale, scores + i * S + j, S);
        switch (group - i) { // the rest in one tile: one head at a time waits on each add
        case 3:
            dots<3>(query + i * a.dk, a.dk, kRow, a.scale, scores + i * S + j, S);
            break;
        case 2:
            dots<2>(query + i * a.dk, a.dk, kRow, a.scale, scores + i * S + j, S);
            break;
        case 1:
            dots<1>(query + i * a.dk, a.dk, kRow, a.scale, scores + i * S + j, S);
            break;
        default:
            break;
        }
    }
    // The softmax's numerators in place; each head's denominator in query's first group floats.
    for (int64_t i = 0; i < group; ++i) {
        const int64_t h = g * group + i;
        float* s = scores + i * S;
        if (a.mask.data != nullptr) {
            const M* m = a.mask.at(b, h);
            for (int64_t j = 0; j < S; ++j)
                s[j] += asFloat(m[j * a.mask.position]);
        }
        exponentials(s, S, *std::max_element(s, s + S));
    }
    float* totals = query;
    int64_t i = 0;
    for (; i + 4 <= group; i += 4)
        sumsOfHeads<4>(scores + i * S, S, vRows, a.v.position, a.dv, totals + i, sum + i * a.dv);
    switch (group - i) {
    case 3:
        sumsOfHeads<3>(scores + i * S, S, vRows, a.v.position, a.dv, totals + i, sum + i * a.dv);
        break;
    case 2:
        sumsOfHeads<2>(scores + i * S, S, vRows, a.v.position, a.dv, totals + i, sum + i * a.dv);
        break;
    case 1:
        sumsOfHeads<1>(scores + i * S, S, vRows, a.v.position, a.dv, totals + i, sum + i * a.dv);
        break;
    default:
        break;
    }
    for (i = 0; i < group; ++i) {
        T* o = a.out + (b * a.heads + g * group + i) * a.dv;
        for (int64_t d = 0; d < a.dv; ++d)
            o[d] = static_cast<T>(sum[i * a.dv + d] / totals[i]);
    }
}

// The rest of core is built for baseline x86-64 (SSE2): these loops get AVX-512 and AVX2 clones,
// the CPU's chosen when the program loads. One thread, 14 heads on 2 kv heads, 1000 keys: f32
// 232-279 us a call in SSE2, 92-107 us in the AVX-512 clone; bf16 189-226 -> 102-116 us.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define THINKBENCH_ISA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define THINKBENCH_ISA_CLONES
#endif

THINKBENCH_ISA_CLONES void attendItems(const OneQuery<float, float>& a, int64_t begin, int64_t end, float* query,
                                       float* scores, float* sum)
{
    for (int64_t item = begin; item < end; ++item)
        attendItem(a, item, query, scores, sum);
}

THINKBENCH_ISA_CLONES void attendItems(const OneQuery<c10::BFloat16, float>& a, int64_t begin, int64_t end,
                                       float* query, float* scores, float* sum)
{
    for (int64_t item = begin; item < end; ++item)
        attendItem(a, item, query, scores, sum);
}

THINKBENCH_ISA_CLONES void attendItems(const OneQuery<c10::BFloat16, c10::BFloat16>& a, int64_t begin, int64_t end,
                                       float* query, float* scores, float* sum)
{
    for (int64_t item = begin; item < end; ++item)
        attendItem(a, item, query, scores, sum);
}

// Small contexts stay on the calling thread (parallelGrain); each thread's buffers are kept.
template <class T, class M> void attendGroups(const OneQuery<T, M>& a)
{
    const int64_t group = a.heads / a.kvHeads;
    at::parallel_for(0, a.B * a.kvHeads, parallelGrain(group * a.S * (a.dk + a.dv)), [&](int64_t begin, int64_t end) {
        thread_local std::vector<float> query, scores, sum;
        query.resize(static_cast<size_t>(group * a.dk));
        scores.resize(static_cast<size_t>(group * a.S));
        sum.resize(static_cast<size_t>(group * a.dv));
        attendItems(a, begin, end, query.data(), scores.data(), sum.data());
    });
}

bool unitRows(const at::Tensor& t)
{
    return t.dim() == 4 && (t.size(3) <= 1 || t.stride(3) == 1);
}

} // namespace

bool attendsOneQuery(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask)
{
    if (!unitRows(q) || !unitRows(k) || !unitRows(v) || q.size(2) != 1)
        return false;
    const at::ScalarType type = q.scalar_type();
    if ((type != at::kFloat && type != at::kBFloat16) || k.scalar_type() != type || v.scalar_type() != type)
        return false;
    if (!q.device().is_cpu() || !k.device().is_cpu() || !v.device().is_cpu())
        return false;
    if (at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad()))
        return false;
    const int64_t B = q.size(0), heads = q.size(1), kvHeads = k.size(1), S = k.size(2);
    if (k.size(0) != B || v.size(0) != B || v.size(1) != kvHeads || v.size(2) != S || k.size(3) != q.size(3) ||
        kvHeads == 0 || heads % kvHeads != 0 || S == 0)
        return false;
    if (!mask.defined())
        return true;
    return at::isFloatingType(mask.scalar_type()) && mask.device().is_cpu() && mask.dim() == 4 &&
           at::is_expandable_to(mask.sizes(), {B, heads, 1, S});
}

at::Tensor attendOneQuery(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                          double scale)
{
    const int64_t B = q.size(0), heads = q.size(1), S = k.size(2);
    const at::Tensor floatMask = mask.defined() ? mask.to(at::kFloat).expand({B, heads, 1, S}) : at::Tensor();
    const Rows<float> maskRows = floatMask.defined()
                                     ? Rows<float>{floatMask.const_data_ptr<float>(), floatMask.stride(0),
                                                   floatMask.stride(1), floatMask.stride(3)}
                                     : Rows<float>{};
    at::Tensor out = at::empty({B, heads, 1, v.size(3)}, q.options());
    forFloatOrBf16(q.scalar_type(), [&](auto* type) {
        using T = std::remove_pointer_t<decltype(type)>;
        attendGroups(OneQuery<T, float>{rowsOf<T>(q), rowsOf<T>(k), rowsOf<T>(v), maskRows, out.mutable_data_ptr<T>(),
                                        B, heads, k.size(1), S, q.size(3), v.size(3), static_cast<float>(scale)});
    });
    return out;
}

bool attendsNewTokens(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& cos,
                      const at::Tensor& sin, const at::Tensor& keys, const at::Tensor& values, int64_t past,
                      const at::Tensor& mask)
{
    const at::ScalarType type = q.scalar_type();
    if (type != at::kFloat && type != at::kBFloat16)
        return false;
    for (const at::Tensor* t : {&q, &k, &v, &cos, &sin, &keys, &values, &mask})
        if (t->scalar_type() != type || !t->device().is_cpu() || !t->is_contiguous())
            return false;
    if (at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad()))
        return false;
    if (keys.dim() != 4 || values.sizes() != keys.sizes() || q.dim() != 3 || q.size(1) != 1)
        return false;
    const int64_t B = keys.size(0), kvHeads = keys.size(1), capacity = keys.size(2), d = keys.size(3);
    const int64_t heads = d == 0 ? 0 : q.size(2) / d;
    return d % 2 == 0 && kvHeads > 0 && heads % kvHeads == 0 && heads * d == q.size(2) && q.size(0) == B &&
           k.sizes() == at::IntArrayRef{B, 1, kvHeads * d} && v.sizes() == k.sizes() &&
           cos.sizes() == at::IntArrayRef{B, 1, 1, d} && sin.sizes() == cos.sizes() && past >= 0 && past < capacity &&
           mask.sizes() == at::IntArrayRef{B, 1, 1, past + 1};
}

at::Tensor attendNewTokens(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& cos,
                           const at::Tensor& sin, at::Tensor& keys, at::Tensor& values, int64_t past,
                           const at::Tensor& mask, double scale)
{
    const int64_t B = keys.size(0), kvHeads = keys.size(1), capacity = keys.size(2), d = keys.size(3),
                  heads = q.size(2) / d, S = past + 1;
    at::Tensor out = at::empty({B, 1, heads * d}, q.options());
    forFloatOrBf16(q.scalar_type(), [&](auto* type) {
        using T = std::remove_pointer_t<decltype(type)>;
        thread_local std::vector<T> rotated;
        rotated.resize(static_cast<size_t>(B * heads * d));
        T* keyRows = keys.mutable_data_ptr<T>();
        T* valueRows = values.mutable_data_ptr<T>();
        for (int64_t b = 0; b < B; ++b) {
            const T* c = cos.const_data_ptr<T>() + b * d;
            const T* s = sin.const_data_ptr<T>() + b * d;
            for (int64_t h = 0; h < heads; ++h)
                rotateHalves(q.const_data_ptr<T>() + (b * heads + h) * d, c, s, rotated.data() + (b * heads + h) * d,
                             d);
            for (int64_t g = 0; g < kvHeads; ++g) {
                const int64_t row = ((b * kvHeads + g) * capacity + past) * d;
                rotateHalves(k.const_data_ptr<T>() + (b * kvHeads + g) * d, c, s, keyRows + row, d);
                std::copy_n(v.const_data_ptr<T>() + (b * kvHeads + g) * d, d, valueRows + row);
            }
        }
        const int64_t perSequence = kvHeads * capacity * d;
        attendGroups(OneQuery<T, T>{{rotated.data(), heads * d, d, d},
                                    {keyRows, perSequence, capacity * d, d},
                                    {valueRows, perSequence, capacity * d, d},
                                    {mask.const_data_ptr<T>(), S, 0, 1},
                                    out.mutable_data_ptr<T>(),
                                    B,
                                    heads,
                                    kvHeads,
                                    S,
                                    d,
                                    d,
                                    static_cast<float>(scale)});
    });
    return out;
}

} // namespace thinkbench::core
