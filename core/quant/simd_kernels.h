#pragma once
// The x86 kernels, written once in 256-bit intrinsics and compiled twice: by avx2_kernels.cpp
// (AVX2 + FMA + F16C) and by avx512_kernels.cpp (AVX-512 with VNNI, where the u8 x s8 dot product
// is one vpdpbusd instead of vpmaddubsw + vpmaddwd). Everything here has internal linkage, so each
// translation unit keeps its own copy, compiled with its own flags; include nothing but intrinsics.
//
// The quantized types multiply weight quants with x rounded to int8 (rows_kernel.h's Int8Blocks), as
// llama.cpp does: Q8_0, Q4_0 and Q5_0 with x by 32, an integer dot product per block scaled in f32
// by the weight's and x's block scales; the K-quants with x by 256, their integer sub-block scales
// multiplying the integer products (vpmaddubsw, then vpdpwssd or vpmaddwd) so that a block turns to
// float once; their mins and biases meet x's sums per 16.
// F32, F16 and BF16 widen the weights to f32 and multiply-add with x in f32 (a CPU with AVX-512 BF16
// runs avx512_bf16_kernels.cpp's for BF16 instead).
// A kernel passes over a weight row once for a tile of up to kRowsOfX rows of x, unpacking each block
// once for the whole tile (row_tiles.h walks the rows).

#include "core/gguf/gguf_types.h"
#include "core/quant/activation_quant.h"
#include "core/quant/row_tiles.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace thinkbench::core::quant {

namespace {

// On 4 KiB pages (a mapped file, or memory the kernel gave no huge pages) the hardware's stream
// prefetcher stops at every page boundary: the block kernels ask for the bytes kPrefetchBytes ahead
// of those they read (on the mapped file's pages 0.5B Q4_K_M decode went 11.6 -> 19 tok/s; 1024 and
// 4096 were slower; bench/results/inference.md). The wide kernels (F32, F16, BF16) do not: a prefetch
// per 64 bytes there cost more than it saved (Zen 4, 2 threads: the 151936x896 head at one row of x,
// BF16 26.3 -> 30.2-31.9 GB/s, F16 23.7-26.9 -> 28.6-30.1; 0.5B F32 decode, median of 8 runs in
// alternation, 11.6 -> 13.0 tok/s).
constexpr int64_t kPrefetchBytes = 2048;

inline void prefetchAhead(const uint8_t* bytesBeingRead, int count)
{
    for (int line = 0; line < count; line += 64)
        _mm_prefetch(reinterpret_cast<const char*>(bytesBeingRead + kPrefetchBytes + line), _MM_HINT_T0);
}

inline float halfAt(const uint8_t* p)
{
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    return _cvtsh_ss(bits);
}

inline __m256i load256(const void* p)
{
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// acc + the sums of four adjacent u8 x s8 products, per 32-bit lane.
inline __m256i dotU8S8(__m256i acc, __m256i u, __m256i s)
{
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpbusd_epi32(acc, u, s);
#else
    // Pairs of products stay within int16: u <= 128 and |s| <= 127 here.
    const __m256i pairs = _mm256_maddubs_epi16(u, s);
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
#endif
}

// acc + the products of a's and b's int16 lanes, summed in pairs per 32-bit lane.
inline __m256i dotS16(__m256i acc, __m256i a, __m256i b)
{
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpwssd_epi32(acc, a, b);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
#endif
}

// The vpshufb control that copies int16 lane `lane` of each 128-bit half to all eight of its lanes.
inline __m128i int16LaneEverywhere(int lane)
{
    return _mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * lane));
}

inline float horizontalSum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The 32 elements of a Q4_0/Q5_0 block's 16 nibble bytes in order: low nibbles, then high ones.
inline __m256i nibbles32(const uint8_t* qs)
{
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
    return _mm256_and_si256(_mm256_srlv_epi64(both, _mm256_set_epi64x(4, 4, 0, 0)), _mm256_set1_epi8(0x0F));
}

// 0x10 in byte j where bit j of bits is set.
inline __m256i fifthBits(uint32_t bits)
{
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(bits)),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
    const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
}

// A Q4_K/Q5_K block's 12 scale bytes as 8 scales and 8 mins of 6 bits, one byte each (the layout
// of core/gguf/dequantize.cpp: bytes 0-3 scales 0-3, 4-7 mins 0-3, 8-11 the low four bits of
// scales and mins 4-7, whose top two bits sit in the top bits of bytes 0-7).
inline void scalesMins(const uint8_t* s, uint64_t& scales, uint64_t& mins)
{
    uint32_t u[3];
    std::memcpy(u, s, 12);
    const uint32_t six = 0x3F3F3F3F, four = 0x0F0F0F0F, two = 0x03030303;
    const uint32_t highScales = (u[2] & four) | (((u[0] >> 6) & two) << 4);
    const uint32_t highMins = ((u[2] >> 4) & four) | (((u[1] >> 6) & two) << 4);
    scales = (u[0] & six) | (uint64_t{highScales} << 32);
    mins = (u[1] & six) | (uint64_t{highMins} << 32);
}

// acc + the signed bytes w times x per 32-bit lane, through |w| and x with w's sign (vpdpbusd and
// vpmaddubsw take one unsigned operand).
inline __m256i dotS8S8(__m256i acc, __m256i w, __m256i x)
{
    return dotU8S8(acc, _mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
}

// One row of x in its int8 form: Int8Blocks from the row's start.
struct XRow {
    const int8_t* q;
    const float* scale;
    const int16_t* sum16;
};

// A block's integer sums for NB rows of x: one chain each, two for a lone row (a chain of eight
// vpdpwssd would wait on their latency).
template <int NB> struct IntSums {
    static constexpr int kChains = NB == 1 ? 2 : 1;
    __m256i sum[NB][kChains];
    IntSums()
    {
        for (int i = 0; i < NB; ++i)
            for (int c = 0; c < kChains; ++c)
                sum[i][c] = _mm256_setzero_si256();
    }
    // Row i's step-th pairs of products (vpmaddubsw) times their int16 scales.
    void add(int i, int step, __m256i pairs, __m256i scale)
    {
        sum[i][step % kChains] = dotS16(sum[i][step % kChains], pairs, scale);
    }
    __m256i total(int i) const
    {
        if constexpr (kChains == 1)
            return sum[i][0];
        else
            return _mm256_add_epi32(sum[i][0], sum[i][1]);
    }
};

// Each block type: kElements, kBytes, and dot<NB>(block, x, k, acc) adding weight block k of a row
// times NB rows of x into per-lane partial sums acc.
// Each reads x rounded in blocks of its own kElements (kernel_isa's activationForm).
struct BlockQ8_0 {
    static constexpr int kElements = 32, kBytes = 34;
    template <int NB> static void dot(const uint8_t* w, const XRow* x, int64_t k, __m256* acc)
    {
        const float d = halfAt(w);
        const __m256i q = load256(w + 2);
        for (int i = 0; i < NB; ++i) {
            const __m256i p = dotS8S8(_mm256_setzero_si256(), q, load256(x[i].q + 32 * k));
            acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(d * x[i].scale[k]), acc[i]);
        }
    }
};

// Q4_0 and Q5_0: y = d (u - bias) for u of 4 or 5 bits. The unsigned u meet x directly, and the
// bias meets x's block sum: sum (u - bias) x = sum u x - bias sum x, the second term the integer
// sum's starting value.
template <bool kFifthBit> struct BlockQ4_5_0 {
    static constexpr int kElements = 32, kBytes = kFifthBit ? 22 : 18;
    static constexpr int kBias = kFifthBit ? 16 : 8;
    template <int NB> static void dot(const uint8_t* w, const XRow* x, int64_t k, __m256* acc)
    {
        const float d = halfAt(w);
        __m256i u = nibbles32(w + kBytes - 16);
        if constexpr (kFifthBit) {
            uint32_t bits;
            std::memcpy(&bits, w + 2, 4);
#if defined(__AVX512BW__) && defined(__AVX512VL__)
            u = _mm256_mask_add_epi8(u, bits, u, _mm256_set1_epi8(0x10));
#else
            u = _mm256_or_si256(u, fifthBits(bits));
#endif
        }
        for (int i = 0; i < NB; ++i) {
            const __m256i biasTimesSum =
                _mm256_zextsi128_si256(_mm_cvtsi32_si128(-kBias * (x[i].sum16[2 * k] + x[i].sum16[2 * k + 1])));
            const __m256i p = dotU8S8(biasTimesSum, u, load256(x[i].q + 32 * k));
            acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(d * x[i].scale[k]), acc[i]);
        }
    }
};

// Q4_K and Q5_K: 8 sub-blocks of 32, y = d·scale·u − dmin·min, scale and min of 6 bits. Sub-block
// j's pairs of u·x (vpmaddubsw: u <= 31, |x| <= 127) times scale j sum to int32; the mins meet x's
// sums per 16 the same way, each min beside its sub-block's two sums. Each sub-block's u and scale are
// made once and meet every row of x in turn.
template <bool kFifthBit> struct BlockQ4_5_K {
    static constexpr int kElements = 256, kBytes = kFifthBit ? 176 : 144;
    template <int NB> static void dot(const uint8_t* w, const XRow* x, int64_t k, __m256* acc)
    {
        uint64_t scaleBytes, minBytes;
        scalesMins(w + 4, scaleBytes, minBytes);
        const __m256i scales =
            _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(scaleBytes))));
        const uint8_t* qs = w + (kFifthBit ? 48 : 16);
        const __m256i mask = _mm256_set1_epi8(0x0F);
        __m256i high = kFifthBit ? load256(w + 16) : _mm256_setzero_si256();
        IntSums<NB> sums;
#pragma GCC unroll 8 // j's lane and parity as constants
        for (int j = 0; j < 8; ++j) {
            const __m256i bytes = load256(qs + 32 * (j / 2));
            __m256i u = _mm256_and_si256(j % 2 ? _mm256_srli_epi16(bytes, 4) : bytes, mask);
            if constexpr (kFifthBit) {
                u = _mm256_or_si256(u, _mm256_and_si256(_mm256_slli_epi16(high, 4), _mm256_set1_epi8(0x10)));
                high = _mm256_srli_epi16(high, 1);
            }
            const __m256i scale = _mm256_shuffle_epi8(scales, _mm256_broadcastsi128_si256(int16LaneEverywhere(j)));
            for (int i = 0; i < NB; ++i)
                sums.add(i, j, _mm256_maddubs_epi16(u, load256(x[i].q + 256 * k + 32 * j)), scale);
        }
        const __m128i minBytes128 = _mm_cvtsi64_si128(static_cast<long long>(minBytes));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(minBytes128, minBytes128));
        const float d = halfAt(w), dmin = halfAt(w + 2);
        for (int i = 0; i < NB; ++i) {
            const __m256 xScale = _mm256_set1_ps(x[i].scale[k]);
            acc[i] =
                _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums.total(i)), _mm256_mul_ps(_mm256_set1_ps(d), xScale), acc[i]);
            const __m256i minSums = _mm256_madd_epi16(mins, load256(x[i].sum16 + 16 * k));
            acc[i] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(minSums), _mm256_mul_ps(_mm256_set1_ps(dmin), xScale), acc[i]);
        }
    }
};

// Q6_K: 16 sub-blocks of 16 with signed 8-bit scales, y = d·scale·(u − 32) for u of 6 bits. Each
// 32 elements' pairs of u·x (u <= 63) times their two scales sum to int32; the bias 32 meets x's sums
// per 16 once a block: 32 Σ scale_s sum_s.
struct BlockQ6_K {
    static constexpr int kElements = 256, kBytes = 210;
    template <int NB> static void dot(const uint8_t* w, const XRow* x, int64_t k, __m256* acc)
    {
        const __m256i scales = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 192)));
        // vpshufb picks within a 128-bit half: scales 0-7 in both halves for the block's first 128
        // elements, 8-15 for the rest.
        const __m256i halfScales[2] = {_mm256_permute2x128_si256(scales, scales, 0x00),
                                       _mm256_permute2x128_si256(scales, scales, 0x11)};
        const float d = halfAt(w + 208);
        const __m256i mask = _mm256_set1_epi8(0x0F), two = _mm256_set1_epi8(0x03);
        IntSums<NB> sums;
#pragma GCC unroll 2 // each vector's scale lanes as constants
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = w + 64 * half;
            const __m256i qh = load256(w + 128 + 32 * half);
#pragma GCC unroll 4
            for (int quarter = 0; quarter < 4; ++quarter) { // 32 elements each, in order
                const __m256i low = load256(ql + 32 * (quarter % 2));
                const __m256i nibble = _mm256_and_si256(quarter < 2 ? low : _mm256_srli_epi16(low, 4), mask);
                const __m256i top = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * quarter), two);
                const __m256i u = _mm256_or_si256(nibble, _mm256_slli_epi16(top, 4));
                const int v = 4 * half + quarter, sub = 2 * quarter; // sub: this vector's two scales in its half
                const __m256i scale = _mm256_shuffle_epi8(
                    halfScales[half], _mm256_set_m128i(int16LaneEverywhere(sub + 1), int16LaneEverywhere(sub)));
                for (int i = 0; i < NB; ++i)
                    sums.add(i, v, _mm256_maddubs_epi16(u, load256(x[i].q + 256 * k + 32 * v)), scale);
            }
        }
        for (int i = 0; i < NB; ++i) {
            const __m256i bias = _mm256_slli_epi32(_mm256_madd_epi16(scales, load256(x[i].sum16 + 16 * k)), 5);
            const __m256i total = _mm256_sub_epi32(sums.total(i), bias);
            acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_set1_ps(d * x[i].scale[k]), acc[i]);
        }
    }
};

template <class Block> struct BlockTile {
    template <int NB> static void run(const WeightRows& w, const Activations& a, int64_t r, int64_t b0, float* out);
};

template <class Block>
template <int NB>
void BlockTile<Block>::run(const WeightRows& w, const Activations& a, int64_t r, int64_t b0, float* out)
{
    const uint8_t* row = w.data + r * w.rowBytes;
    XRow x[NB];
    __m256 acc[NB];
    const Int8Blocks& form = Block::kElements == 256 ? a.by256 : a.by32;
    for (int i = 0; i < NB; ++i) {
        const int64_t start = (b0 + i) * a.cols;
        x[i] = {form.q + start, form.scale + start / Block::kElements, form.sum16 + start / 16};
        acc[i] = _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < a.cols / Block::kElements; ++k) {
        prefetchAhead(row + k * Block::kBytes, Block::kBytes);
        Block::template dot<NB>(row + k * Block::kBytes, x, k, acc);
    }
    for (int i = 0; i < NB; ++i)
        out[(b0 + i) * w.rows + r] = horizontalSum(acc[i]);
}

// F32, F16 and BF16 rows widened to f32, 8 elements at a time.
struct WideF32 {
    static constexpr int kBytes = 4;
    static __m256 load8(const uint8_t* p) { return _mm256_loadu_ps(reinterpret_cast<const float*>(p)); }
    static float load1(const uint8_t* p)
    {
        float f;
        std::memcpy(&f, p, 4);
        return f;
    }
};
struct WideF16 {
    static constexpr int kBytes = 2;
    static __m256 load8(const uint8_t* p)
    {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static float load1(const uint8_t* p) { return halfAt(p); }
};
struct WideBF16 {
    static constexpr int kBytes = 2;
    static __m256 load8(const uint8_t* p)
    {
        const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
    }
    static float load1(const uint8_t* p)
    {
        uint32_t bits = 0;
        std::memcpy(reinterpret_cast<uint8_t*>(&bits) + 2, p, 2);
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
};

template <class Wide> struct WideTile {
    template <int NB> static void run(const WeightRows& w, const Activations& a, int64_t r, int64_t b0, float* out);
};

template <class Wide>
template <int NB>
void WideTile<Wide>::run(const WeightRows& w, const Activations& a, int64_t r, int64_t b0, float* out)
{
    // One row of x has 4 independent chains (the FMA latency); a tile has NB of 2.
    constexpr int kChains = NB == 1 ? 4 : 2;
    const uint8_t* row = w.data + r * w.rowBytes;
    __m256 acc[NB][kChains];
    for (int i = 0; i < NB; ++i)
        for (int c = 0; c < kChains; ++c)
            acc[i][c] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 * kChains <= a.cols; k += 8 * kChains) {
        for (int c = 0; c < kChains; ++c) {
            const __m256 wv = Wide::load8(row + (k + 8 * c) * Wide::kBytes);
            for (int i = 0; i < NB; ++i)
                acc[i][c] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(a.x + (b0 + i) * a.cols + k + 8 * c), acc[i][c]);
        }
    }
    for (int i = 0; i < NB; ++i) {
        __m256 sum = acc[i][0];
        for (int c = 1; c < kChains; ++c)
            sum = _mm256_add_ps(sum, acc[i][c]);
        float total = horizontalSum(sum);
        for (int64_t t = k; t < a.cols; ++t)
            total += Wide::load1(row + t * Wide::kBytes) * a.x[(b0 + i) * a.cols + t];
        out[(b0 + i) * w.rows + r] = total;
    }
}

// activation_quant.cpp's rounding, eight lanes at a time, to the same bytes: the same max of |x|, the
// same scale and product with its inverse, and the conversion's round-to-nearest-even, which is
// nearbyint's in the default rounding mode. (The scalar loop calls libm per element: 1.5% of a 1.5B
// Q4_K_M decode, on the main thread while the others wait.)
template <int kBlock> void roundBlocks(const float* x, int64_t count, int8_t* q, float* scale)
{
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256i inOrder = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t block = 0; block < count / kBlock; ++block) {
        const float* in = x + kBlock * block;
        __m256 amax = _mm256_setzero_ps();
        for (int i = 0; i < kBlock / 8; ++i) // a NaN keeps amax, as std::max does
            amax = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(in + 8 * i), magnitude), amax);
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float d = _mm_cvtss_f32(m) / 127.0f;
        const __m256 inverse = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
        scale[block] = d;
        for (int group = 0; group < kBlock / 32; ++group) {
            __m256i rounded[4];
            for (int i = 0; i < 4; ++i)
                rounded[i] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(in + 32 * group + 8 * i), inverse));
            // The packs work within 128-bit lanes: they leave 4-element groups in the order 0, 2, 4, 6, 1, 3, 5, 7.
            const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(rounded[0], rounded[1]),
                                                     _mm256_packs_epi32(rounded[2], rounded[3]));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + kBlock * block + 32 * group),
                                _mm256_permutevar8x32_epi32(bytes, inOrder));
        }
    }
}

void simdQuantizeActivations(const float* x, int64_t n, int64_t cols, int64_t block, int8_t* q, float* scale,
                             int16_t* sum16)
{
    if (block == 256)
        roundBlocks<256>(x, n * cols, q, scale);
    else
        roundBlocks<32>(x, n * cols, q, scale);
    sumsOf16(q, n * cols, sum16);
}

// The kernel of each type, as this translation unit's flags compile it.
RowsKernel simdKernel(GgmlType type)
{
    switch (type) {
    case GgmlType::Q8_0:
        return rowsOf<BlockTile<BlockQ8_0>>;
    case GgmlType::Q4_0:
        return rowsOf<BlockTile<BlockQ4_5_0<false>>>;
    case GgmlType::Q5_0:
        return rowsOf<BlockTile<BlockQ4_5_0<true>>>;
    case GgmlType::Q4_K:
        return rowsOf<BlockTile<BlockQ4_5_K<false>>>;
    case GgmlType::Q5_K:
        return rowsOf<BlockTile<BlockQ4_5_K<true>>>;
    case GgmlType::Q6_K:
        return rowsOf<BlockTile<BlockQ6_K>>;
    case GgmlType::F32:
        return rowsOf<WideTile<WideF32>>;
    case GgmlType::F16:
        return rowsOf<WideTile<WideF16>>;
    case GgmlType::BF16:
        return rowsOf<WideTile<WideBF16>>;
    default:
        return nullptr;
    }
}

} // namespace

} // namespace thinkbench::core::quant
