// The kernels of simd_kernels.h compiled for AVX-512 F/BW/VL + VNNI (flags in core/CMakeLists.txt); a build
// without those flags (another architecture) has none and runs the portable ones.
#include "core/quant/kernel_isa.h"

#if defined(__AVX512VNNI__)
#include "core/quant/simd_kernels.h"
#endif

namespace thinkbench::core::quant {

RowsKernel avx512Kernel(GgmlType type)
{
#if defined(__AVX512VNNI__)
    return simdKernel(type);
#else
    (void)type;
    return nullptr;
#endif
}

ActivationQuantizer avx512ActivationQuantizer()
{
#if defined(__AVX512VNNI__)
    return simdQuantizeActivations;
#else
    return nullptr;
#endif
}

} // namespace thinkbench::core::quant
