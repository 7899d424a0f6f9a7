#pragma once
// quantizedLinear() under a chosen instruction set, so tests compare every path the CPU runs with
// the portable one (and benchmarks time each). A type the ISA has no kernel for runs portable.

#include "core/quant/kernel_isa.h"
#include "core/quant/quantized_matrix.h"

namespace thinkbench::core::quant {

// Rows of x from which a GEMM over dequantized tiles (dequantized_gemm.h) takes over from the row
// kernels. On the shared 2-core machine the row kernels ran 40-80 GFLOP/s at 8 rows and the GEMM path
// 40-70 at 512 for quantized weights (bench/results/quant_kernels.md): the switch is set well above 8
// and below 512, not measured at the crossing. The portable path has no switch.
constexpr int64_t kGemmRows = 64;

// Whether `rowsOfX` rows of x times `type` weights under `isa` go through the dequantized GEMM. The
// K-quants stay on the row kernels at any batch where the CPU has no native bf16: there the GEMM's
// tiles are f32, and the kernels, which read x by 256 and share each sub-block's unpacked quants and
// scale among a tile's rows of x, ran 155-192 GFLOP/s at 512 rows against its 110-147 (AVX2 EPYC,
// 2 threads; bench/results/quant_kernels.md).
bool viaGemm(Isa isa, GgmlType type, int64_t rowsOfX);

// The path a product takes: viaGemm's choice, or the row kernels at any batch (so a benchmark can time
// them where the GEMM serves).
enum class Path { Chosen, RowKernels };

at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w, Isa isa, Path path = Path::Chosen);
std::vector<at::Tensor> quantizedLinears(const at::Tensor& x, std::span<const QuantizedMatrix> ws, Isa isa,
                                         Path path = Path::Chosen);

} // namespace thinkbench::core::quant
