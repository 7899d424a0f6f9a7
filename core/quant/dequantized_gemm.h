#pragma once
// The many-row path of quantizedLinear() (prefill): weight rows dequantized a tile at a time into
// bf16 and multiplied by oneDNN's GEMM (AMX or AVX-512 BF16 where the CPU has them), which beats the
// row kernels once x has enough rows to make the multiply compute-bound.

#include "core/quant/quantized_matrix.h"

namespace thinkbench::core::quant {

// x is [n, cols], contiguous, f32 or bf16; the result is [n, rows] in x's dtype. F32 and BF16
// weights are multiplied in place in their own dtype; the others, and x, in bf16 (summed in f32).
at::Tensor dequantizedGemm(const at::Tensor& x, const QuantizedMatrix& w);

} // namespace thinkbench::core::quant
