// The BF16 row kernel of Isa::Avx512Bf16, compiled with AVX-512 BF16 (flags in core/CMakeLists.txt):
// 32 weights meet 32 elements of x in bf16 per vdpbf16ps, each f32 lane adding a pair of exact
// products, where avx512_kernels.cpp's widens every weight to f32 and reads x in f32 (twice the bytes
// of x through the caches, four instructions where this has one). The other types run
// avx512_kernels.cpp's kernels; a build without the flags has none and runs those for BF16 too.
#include "core/quant/kernel_isa.h"

#if defined(__AVX512BF16__)
#include "core/quant/row_tiles.h"

#include <immintrin.h>
#endif

namespace thinkbench::core::quant {

#if defined(__AVX512BF16__)
namespace {

inline __m512bh bf16Pairs(__m512i bits)
{
    return (__m512bh)bits;
}

// The sum of v's lanes, through memory: GCC 12 warns of an uninitialized value inside the
// 512-bit shuffles and extracts (_mm512_reduce_add_ps among them), their masked forms' unused source.
inline float horizontalSum(__m512 v)
{
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, v);
    __m256 eight = _mm256_add_ps(_mm256_load_ps(lanes), _mm256_load_ps(lanes + 8));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

struct Bf16PairsTile {
    template <int NB> static void run(const WeightRows& w, const Activations& a, int64_t r, int64_t b0, float* out)
    {
        // One row of x has 4 independent chains (vdpbf16ps's latency); a tile has NB of 2.
        constexpr int kChains = NB == 1 ? 4 : 2;
        const auto* row = reinterpret_cast<const uint16_t*>(w.data + r * w.rowBytes);
        const uint16_t* x[NB];
        __m512 acc[NB][kChains];
        for (int i = 0; i < NB; ++i) {
            x[i] = a.xBf16 + (b0 + i) * a.cols;
            for (int c = 0; c < kChains; ++c)
                acc[i][c] = _mm512_setzero_ps();
        }
        int64_t k = 0;
        for (; k + 32 * kChains <= a.cols; k += 32 * kChains)
            for (int c = 0; c < kChains; ++c) {
                const __m512bh wv = bf16Pairs(_mm512_loadu_si512(row + k + 32 * c));
                for (int i = 0; i < NB; ++i)
                    acc[i][c] = _mm512_dpbf16_ps(acc[i][c], wv, bf16Pairs(_mm512_loadu_si512(x[i] + k + 32 * c)));
            }
        // The rest 32 at a time, the last load masked: its missing elements read as zeros.
        for (; k < a.cols; k += 32) {
            const __mmask32 mask = a.cols - k >= 32 ? ~__mmask32{0} : (__mmask32{1} << (a.cols - k)) - 1;
            const __m512bh wv = bf16Pairs(_mm512_maskz_loadu_epi16(mask, row + k));
            for (int i = 0; i < NB; ++i)
                acc[i][0] = _mm512_dpbf16_ps(acc[i][0], wv, bf16Pairs(_mm512_maskz_loadu_epi16(mask, x[i] + k)));
        }
        for (int i = 0; i < NB; ++i) {
            __m512 sum = acc[i][0];
            for (int c = 1; c < kChains; ++c)
                sum = _mm512_add_ps(sum, acc[i][c]);
            out[(b0 + i) * w.rows + r] = horizontalSum(sum);
        }
    }
};

} // namespace
#endif

RowsKernel avx512Bf16Kernel(GgmlType type)
{
#if defined(__AVX512BF16__)
    if (type == GgmlType::BF16)
        return rowsOf<Bf16PairsTile>;
#endif
    (void)type;
    return nullptr;
}

} // namespace thinkbench::core::quant
