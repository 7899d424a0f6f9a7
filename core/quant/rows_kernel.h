#pragma once
// The contract between quantizedLinear() and its kernels: one call computes out[b, r] = x[b] · W[r]
// for a range of weight rows r and every activation row b. Kernels see raw pointers only, so the
// per-ISA translation units include no torch (an inline function of a shared header compiled with
// AVX-512 there could be the copy the linker keeps for the whole binary).

#include <cstdint>

namespace thinkbench::core::quant {

// x rounded to int8 for the integer kernels, in blocks of `block` elements sharing one scale
// (max|x| / 127), as llama.cpp rounds it: blocks of 32 for Q8_0, Q4_0 and Q5_0 weights (its Q8_0),
// blocks of 256 for the K-quants (its Q8_K). A K-quant's sub-block scales are small integers, so with
// one x scale per weight block they multiply x's integer products before anything turns to float.
struct Int8Blocks {
    const int8_t* q = nullptr;      // [n, cols]
    const float* scale = nullptr;   // [n, cols / block]
    const int16_t* sum16 = nullptr; // [n, cols / 16]: sums of q per 16 elements
};

// Which form of x a kernel reads.
enum class ActivationForm { Float, Bf16, Int8By32, Int8By256 };

struct Activations {
    int64_t n = 0;            // rows of x
    int64_t cols = 0;         // elements per row
    const float* x = nullptr; // [n, cols] f32, for the F16/BF16 kernels and the portable path
    // [n, cols] x in bf16 (its bits), for BF16 weights where the CPU multiplies bf16 pairs (Isa::Avx512Bf16):
    // x itself when it is bf16, else rounded to nearest even
    const uint16_t* xBf16 = nullptr;
    Int8Blocks by32;  // for Q8_0, Q4_0 and Q5_0 weights
    Int8Blocks by256; // for Q4_K, Q5_K and Q6_K weights
};

struct WeightRows {
    const uint8_t* data = nullptr;
    int64_t rowBytes = 0;
    int64_t rows = 0; // all rows: the stride of out
};

// out is [n, rows]; the kernel writes rows [begin, end) of it.
using RowsKernel = void (*)(const WeightRows& w, const Activations& a, int64_t begin, int64_t end, float* out);

// Rounds x [n, cols] to int8 in blocks of `block` (32 or 256, dividing cols): q [n, cols], scale
// [n, cols / block], sum16 [n, cols / 16]. Every ISA's writes the same bytes.
using ActivationQuantizer = void (*)(const float* x, int64_t n, int64_t cols, int64_t block, int8_t* q, float* scale,
                                     int16_t* sum16);

} // namespace thinkbench::core::quant
