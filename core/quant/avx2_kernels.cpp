// The kernels of simd_kernels.h compiled for AVX2 + FMA + F16C (flags in core/CMakeLists.txt); a build
// without those flags (another architecture) has none and runs the portable ones.
#include "core/quant/kernel_isa.h"

#if defined(__AVX2__)
#include "core/quant/simd_kernels.h"
#endif

namespace thinkbench::core::quant {

RowsKernel avx2Kernel(GgmlType type)
{
#if defined(__AVX2__)
    return simdKernel(type);
#else
    (void)type;
    return nullptr;
#endif
}

ActivationQuantizer avx2ActivationQuantizer()
{
#if defined(__AVX2__)
    return simdQuantizeActivations;
#else
    return nullptr;
#endif
}

} // namespace thinkbench::core::quant
