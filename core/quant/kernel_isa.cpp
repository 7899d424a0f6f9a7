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
    case Isa::Avx512Bf16:
        return cpuHas(Isa::Avx512) && __builtin_cpu_supports("avx512bf16");
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
    case Isa::Avx512Bf16:
        return "avx512bf16";
    }
    return "?";
}

Isa parseIsa(const std::string& name, const std::string& where)
{
    std::string names;
    for (Isa isa : kIsas) {
        if (isaName(isa) == name)
            return isa;
        names += (names.empty() ? "" : ", ") + isaName(isa);
    }
    throw Error("", where, "'" + name + "' is not an ISA (" + names + ")");
}

Isa bestIsa()
{
    static const Isa best = [] {
        Isa isa = Isa::Portable;
        for (Isa candidate : kIsas)
            if (cpuHas(candidate))
                isa = candidate;
        if (const char* forced = std::getenv("THINKBENCH_QUANT_ISA")) {
            const Isa wanted = parseIsa(forced, "THINKBENCH_QUANT_ISA");
            if (!cpuHas(wanted))
                throw Error("", "THINKBENCH_QUANT_ISA",
                            std::string("this CPU does not run '") + forced + "' (it runs up to " + isaName(isa) + ")");
            return wanted;
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
    case Isa::Avx512Bf16:
        if (RowsKernel own = avx512Bf16Kernel(type))
            return own;
        return avx512Kernel(type);
    }
    return nullptr;
}

ActivationForm activationForm(Isa isa, GgmlType type)
{
    if (isa == Isa::Portable || rowsKernel(isa, type) == nullptr)
        return ActivationForm::Float;
    // The integer kernels read x rounded in blocks of their weight's block: 32 (Q8_0, Q4_0, Q5_0) or
    // 256 (the K-quants). F32, F16 and BF16, stored element by element, read x itself, in bf16 for
    // BF16 where the CPU multiplies bf16 pairs.
    if (isa == Isa::Avx512Bf16 && type == GgmlType::BF16)
        return ActivationForm::Bf16;
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
        simd = isa == Isa::Avx2       ? avx2ActivationQuantizer()
               : isa == Isa::Portable ? nullptr
                                      : avx512ActivationQuantizer();
    return simd != nullptr ? simd : quantizeActivations;
}

} // namespace thinkbench::core::quant
