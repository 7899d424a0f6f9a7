#pragma once
// The contract between quantizedLinear() and its kernels: one call computes out[b, r] = x[b] · W[r]
// for a range of weight rows r and every activation row b. Kernels see raw pointers only, so the
// per-ISA translation units include no torch (an inline function of a shared header compiled with
// AVX-512 there could be the copy the linker keeps for the whole binary).

#include <cstdint>

namespace thinkbench::core::quant {

// Elements of x sharing one int8 scale: a Q8_0 block and a K-quant sub-block alike.
constexpr int64_t kActivationBlock = 32;

struct Activations {
    int64_t n = 0;            // rows of x
    int64_t cols = 0;         // elements per row
    const float* x = nullptr; // [n, cols] f32, for the F16/BF16 kernels and the portable path
    // x rounded to int8 per block of 32 (scale = max|x| / 127), for the integer kernels:
    const int8_t* q = nullptr;      // [n, cols]
    const float* scale = nullptr;   // [n, cols / 32]
    const int32_t* sum32 = nullptr; // [n, cols / 32]: sums of q per block
};

struct WeightRows {
    const uint8_t* data = nullptr;
    int64_t rowBytes = 0;
    int64_t rows = 0; // all rows: the stride of out
};

// out is [n, rows]; the kernel writes rows [begin, end) of it.
using RowsKernel = void (*)(const WeightRows& w, const Activations& a, int64_t begin, int64_t end, float* out);

// Fills Activations::q, scale and sum32 from x [n, cols]; every ISA's writes the same bytes.
using ActivationQuantizer = void (*)(const float* x, int64_t n, int64_t cols, int8_t* q, float* scale, int32_t* sum32);

} // namespace thinkbench::core::quant
