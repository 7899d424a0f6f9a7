#pragma once
// x rounded to int8 in blocks of 32 (one scale each, max|x| / 127), with their sums per block: the form the
// integer kernels multiply weight quants with, as llama.cpp's Q8 activations are.

#include <cstdint>

namespace thinkbench::core::quant {

// x is [n, cols] with cols a multiple of 32; q [n, cols], scale [n, cols / 32], sum32 [n, cols / 32].
void quantizeActivations(const float* x, int64_t n, int64_t cols, int8_t* q, float* scale, int32_t* sum32);

} // namespace thinkbench::core::quant
