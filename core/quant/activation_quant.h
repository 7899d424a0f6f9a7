#pragma once
// x rounded to int8 in blocks of 32 or 256 (one scale each, max|x| / 127), with the sums of q per 16
// elements: the forms the integer kernels multiply weight quants with (rows_kernel.h's Int8Blocks).

#include <cstdint>

namespace thinkbench::core::quant {

// x is [n, cols] with cols a multiple of block (32 or 256); q [n, cols], scale [n, cols / block],
// sum16 [n, cols / 16].
void quantizeActivations(const float* x, int64_t n, int64_t cols, int64_t block, int8_t* q, float* scale,
                         int16_t* sum16);

// sum16[g] = the sum of q's 16 elements of group g, for `count` elements: every quantizer's last step.
void sumsOf16(const int8_t* q, int64_t count, int16_t* sum16);

} // namespace thinkbench::core::quant
