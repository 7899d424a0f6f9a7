#pragma once
// Which instruction set the quantized kernels use, decided once from cpuid, and the kernel of each
// (ISA, type). quantizedLinear() uses the best one the CPU has; tests force each in turn.

#include "core/gguf/gguf_types.h"
#include "core/quant/rows_kernel.h"

#include <string>

namespace thinkbench::core::quant {

enum class Isa {
    Portable, // scalar C++: block by block through core::dequantize, in f32
    Avx2,     // AVX2 + FMA + F16C
    Avx512,   // AVX-512 F/BW/VL with VNNI
    // Avx512 and AVX-512 BF16: BF16 weights multiply x rounded to bf16, a pair of products per lane in
    // one vdpbf16ps, as llama.cpp does on such CPUs (x's rounding costs up to 2^-9 of each element)
    Avx512Bf16,
};

// Every ISA, from the least to the most the CPU must have.
inline constexpr Isa kIsas[] = {Isa::Portable, Isa::Avx2, Isa::Avx512, Isa::Avx512Bf16};

// The best ISA this CPU runs (THINKBENCH_QUANT_ISA=portable|avx2|avx512|avx512bf16 lowers it).
Isa bestIsa();
// Whether this CPU runs `isa`'s kernels.
bool cpuHas(Isa isa);
std::string isaName(Isa isa);
// The ISA isaName() calls `name`; throws core::Error naming `where` for any other name.
Isa parseIsa(const std::string& name, const std::string& where);
// Whether the CPU multiplies bf16 natively (AVX-512 BF16 or AMX). Without, oneDNN's bf16 GEMM widens
// every element first and ran at a quarter of its f32 GEMM (AVX2 EPYC: 15.9 against 69.6 GFLOP/s).
bool cpuMultipliesBf16();

// The kernel for `type` under `isa`, or nullptr where that ISA has none (the caller falls back).
RowsKernel rowsKernel(Isa isa, GgmlType type);
// Which form of x rowsKernel(isa, type) reads: x itself, or x rounded to int8 by 32 or by 256.
ActivationForm activationForm(Isa isa, GgmlType type);
// What rounds x to int8 under `isa` (the portable quantizeActivations where the ISA has none).
ActivationQuantizer activationQuantizer(Isa isa);

// Kernels of each ISA (portable_kernels.cpp, avx2_kernels.cpp, avx512_kernels.cpp,
// avx512_bf16_kernels.cpp); call the x86 ones only where cpuHas() says so.
RowsKernel portableKernel(GgmlType type);
RowsKernel avx2Kernel(GgmlType type);
RowsKernel avx512Kernel(GgmlType type);
RowsKernel avx512Bf16Kernel(GgmlType type); // BF16's; nullptr for the other types, which run avx512Kernel's
ActivationQuantizer avx2ActivationQuantizer();
ActivationQuantizer avx512ActivationQuantizer();

} // namespace thinkbench::core::quant
