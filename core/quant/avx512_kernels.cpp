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
    switch (type) {
    case GgmlType::Q8_0:
        return rowsOf<BlockTile<BlockQ8_0>>;
    case GgmlType::Q4_0:
        return rowsOf<BlockTile<BlockQ4_5_0<false>>>;
    case GgmlType::Q5_0:
        return rowsOf<BlockTile<BlockQ4_5_0<true>>>;
    case GgmlType::Q4_K:
        return rowsOf<BlockTile<BlockQ4_5_K<false>>>;
    case GgmlType::Q5_K:
        return rowsOf<BlockTile<BlockQ4_5_K<true>>>;
    case GgmlType::Q6_K:
        return rowsOf<BlockTile<BlockQ6_K>>;
    case GgmlType::F32:
        return rowsOf<WideTile<WideF32>>;
    case GgmlType::F16:
        return rowsOf<WideTile<WideF16>>;
    case GgmlType::BF16:
        return rowsOf<WideTile<WideBF16>>;
    default:
        return nullptr;
    }
#else
    return nullptr;
#endif
}

} // namespace thinkbench::core::quant
