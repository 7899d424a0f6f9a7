#include "core/quant/kernel_isa.h"

#include "core/error.h"
#include "core/quant/activation_quant.h"

#include <cstdlib>

namespace thinkbench::core::quant {

bool cpuHas(Isa isa)
{
    switch (isa) {
    case Isa::Portable:
        return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case Isa::Avx2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    case Isa::Avx512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
    default:
        return false;
    }
}

bool cpuMultipliesBf16()
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
#else
    return false;
#endif
}

std::string isaName(Isa isa)
{
    switch (isa) {
    case Isa::Portable:
        return "portable";
    case Isa::Avx2:
        return "avx2";
    case Isa::Avx512:
        return "avx512";
    }
    return "?";
}

Isa bestIsa()
{
    static const Isa best = [] {
        Isa isa = Isa::Portable;
        for (Isa candidate : {Isa::Avx2, Isa::Avx512})
            if (cpuHas(candidate))
                isa = candidate;
        if (const char* forced = std::getenv("THINKBENCH_QUANT_ISA")) {
            for (Isa candidate : {Isa::Portable, Isa::Avx2, Isa::Avx512})
                if (isaName(candidate) == forced && static_cast<int>(candidate) <= static_cast<int>(isa))
                    return candidate;
            throw Error("", "THINKBENCH_QUANT_ISA",
                        std::string("'") + forced + "' is not an ISA this CPU runs (" +
                            "portable, avx2, avx512 up to " + isaName(isa) + ")");
        }
        return isa;
    }();
    return best;
}

RowsKernel rowsKernel(Isa isa, GgmlType type)
{
    if (!cpuHas(isa))
        return nullptr;
    switch (isa) {
    case Isa::Portable:
        return portableKernel(type);
    case Isa::Avx2:
        return avx2Kernel(type);
    case Isa::Avx512:
        return avx512Kernel(type);
    }
    return nullptr;
}

ActivationForm activationForm(Isa isa, GgmlType type)
{
    if (isa == Isa::Portable || rowsKernel(isa, type) == nullptr)
        return ActivationForm::Float;
    // The integer kernels read x rounded in blocks of their weight's block: 32 (Q8_0, Q4_0, Q5_0) or
    // 256 (the K-quants). F32, F16 and BF16, stored element by element, read x itself.
    switch (ggmlTypeTraits(static_cast<uint32_t>(type))->blockElements) {
    case 32:
        return ActivationForm::Int8By32;
    case 256:
        return ActivationForm::Int8By256;
    default:
        return ActivationForm::Float;
    }
}

ActivationQuantizer activationQuantizer(Isa isa)
{
    ActivationQuantizer simd = nullptr;
    if (cpuHas(isa))
        simd = isa == Isa::Avx2     ? avx2ActivationQuantizer()
               : isa == Isa::Avx512 ? avx512ActivationQuantizer()
                                    : nullptr;
    return simd != nullptr ? simd : quantizeActivations;
}

} // namespace thinkbench::core::quant
