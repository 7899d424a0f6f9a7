#pragma once
// The many-row path of quantizedLinear() (prefill): weight rows dequantized a tile at a time and
// multiplied by oneDNN's GEMM, which beats the row kernels once x has enough rows to make the
// multiply compute-bound. Tiles are bf16 where the CPU multiplies bf16 natively (AMX, AVX-512 BF16),
// f32 elsewhere (AVX2), where oneDNN's f32 GEMM is the faster.

#include "core/quant/quantized_matrix.h"

namespace thinkbench::core::quant {

// x is [n, cols], contiguous, f32 or bf16; the result is [n, rows] in x's dtype. F32 weights, and
// BF16 ones where bf16 tiles are, are multiplied in place in their own dtype; the others, and x, in
// the tiles' dtype (summed in f32).
at::Tensor dequantizedGemm(const at::Tensor& x, const QuantizedMatrix& w);

} // namespace thinkbench::core::quant
