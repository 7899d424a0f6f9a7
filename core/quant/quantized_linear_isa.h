#pragma once
// quantizedLinear() under a chosen instruction set, so tests compare every path the CPU runs with
// the portable one (and benchmarks time each). A type the ISA has no kernel for runs portable.

#include "core/quant/kernel_isa.h"
#include "core/quant/quantized_matrix.h"

namespace thinkbench::core::quant {

// Rows of x from which a bf16 GEMM over dequantized tiles (dequantized_gemm.h) beats the row kernels
// (bench/quant_kernels); the portable path has no such switch.
constexpr int64_t kGemmRows = 16;

at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w, Isa isa);

} // namespace thinkbench::core::quant
