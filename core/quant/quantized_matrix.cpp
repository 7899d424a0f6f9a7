#include "core/quant/quantized_matrix.h"

#include "core/error.h"
#include "core/quant/activation_quant.h"
#include "core/quant/dequantized_gemm.h"
#include "core/quant/quantized_linear_isa.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <c10/util/BFloat16.h>

#include <vector>

namespace thinkbench::core {

namespace {

// Multiply-adds a parallel_for chunk is worth at least: below it a thread costs more than it saves.
constexpr int64_t kGrainWork = 1 << 15;

const GgmlTypeTraits& checkedTraits(const QuantizedMatrix& w)
{
    const GgmlTypeTraits* traits = ggmlTypeTraits(static_cast<uint32_t>(w.type));
    if (traits == nullptr)
        throw Error("", "quantizedLinear", "unknown tensor type " + ggmlTypeName(static_cast<uint32_t>(w.type)));
    return *traits;
}

void check(const at::Tensor& x, const QuantizedMatrix& w)
{
    const GgmlTypeTraits& traits = checkedTraits(w);
    const std::string matrix =
        std::string(traits.name) + " matrix [" + std::to_string(w.rows) + ", " + std::to_string(w.cols) + "]";
    if (w.rows < 0 || w.cols < 0 || w.cols % traits.blockElements != 0)
        throw Error("", "quantizedLinear",
                    matrix + ": columns must be a multiple of " + std::to_string(traits.blockElements));
    if (w.data == nullptr && w.rows * w.cols > 0)
        throw Error("", "quantizedLinear", matrix + " has no data");
    if (x.dim() < 1 || x.size(-1) != w.cols)
        throw Error("", "quantizedLinear",
                    "x of shape " + c10::str(x.sizes()) + " does not end in the " + matrix + "'s " +
                        std::to_string(w.cols) + " columns");
    if (x.scalar_type() != at::kFloat && x.scalar_type() != at::kBFloat16)
        throw Error("", "quantizedLinear",
                    "x is " + std::string(c10::toString(x.scalar_type())) +
                        "; the quantized kernels take Float or BFloat16");
    if (!x.device().is_cpu())
        throw Error("", "quantizedLinear", "x is on " + x.device().str() + "; the quantized kernels run on the CPU");
}

// Grown, never shrunk: a decode step converts x and its result without allocating.
template <class T> T* scratch(std::vector<T>& buffer, int64_t size)
{
    if (static_cast<int64_t>(buffer.size()) < size)
        buffer.resize(static_cast<size_t>(size));
    return buffer.data();
}

} // namespace

int64_t QuantizedMatrix::rowBytes() const
{
    const GgmlTypeTraits& traits = checkedTraits(*this);
    return cols / traits.blockElements * traits.blockBytes;
}

at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w)
{
    return quant::quantizedLinear(x, w, quant::bestIsa());
}

namespace quant {

at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w, Isa isa)
{
    check(x, w);
    RowsKernel kernel = rowsKernel(isa, w.type);
    if (kernel == nullptr) {
        isa = Isa::Portable;
        kernel = rowsKernel(isa, w.type);
    }
    if (kernel == nullptr)
        throw Error("", "quantizedLinear", "no kernel for " + ggmlTypeName(static_cast<uint32_t>(w.type)) + " weights");

    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = w.rows;
    at::Tensor result = at::empty(shape, x.options().memory_format(c10::MemoryFormat::Contiguous));
    Activations a;
    a.cols = w.cols;
    a.n = w.cols == 0 ? x.numel() : x.numel() / w.cols;
    if (a.n == 0 || w.rows == 0)
        return result;

    // Every type runs our row kernels below kGemmRows rows of x. For F32 and BF16 too: torch's
    // one-row products are MKL's, which on AMD CPUs runs its generic code on one thread (0.5B F32
    // decode at 7 tok/s where the weights allow 16; bench/results/inference.md).
    if (isa != Isa::Portable && a.n >= kGemmRows)
        return dequantizedGemm(x.reshape({a.n, a.cols}).contiguous(), w).view(shape);

    thread_local std::vector<float> xBuffer, outBuffer;
    const at::Tensor xc = x.contiguous();
    const bool isFloat = x.scalar_type() == at::kFloat;
    if (isFloat) {
        a.x = xc.data_ptr<float>();
    } else {
        float* converted = scratch(xBuffer, a.n * a.cols);
        const c10::BFloat16* source = xc.data_ptr<c10::BFloat16>();
        for (int64_t i = 0; i < a.n * a.cols; ++i)
            converted[i] = static_cast<float>(source[i]);
        a.x = converted;
    }
    if (usesInt8Activations(isa, w.type)) {
        thread_local std::vector<int8_t> q;
        thread_local std::vector<float> scale;
        thread_local std::vector<int32_t> sum32;
        a.q = scratch(q, a.n * a.cols);
        a.scale = scratch(scale, a.n * a.cols / 32);
        a.sum32 = scratch(sum32, a.n * a.cols / 32);
        quantizeActivations(a.x, a.n, a.cols, q.data(), scale.data(), sum32.data());
    }
    float* out = isFloat ? result.data_ptr<float>() : scratch(outBuffer, a.n * w.rows);

    const WeightRows rows{w.data, w.rowBytes(), w.rows};
    const int64_t grain = std::max<int64_t>(1, kGrainWork / std::max<int64_t>(1, a.n * a.cols));
    at::parallel_for(0, w.rows, grain, [&](int64_t begin, int64_t end) { kernel(rows, a, begin, end, out); });

    if (!isFloat) {
        c10::BFloat16* target = result.data_ptr<c10::BFloat16>();
        for (int64_t i = 0; i < a.n * w.rows; ++i)
            target[i] = c10::BFloat16(out[i]);
    }
    return result;
}

} // namespace quant

} // namespace thinkbench::core
