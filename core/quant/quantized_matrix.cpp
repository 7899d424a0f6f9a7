#include "core/quant/quantized_matrix.h"

#include "core/error.h"
#include "core/parallel_grain.h"
#include "core/quant/dequantized_gemm.h"
#include "core/quant/quantized_linear_isa.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <c10/util/BFloat16.h>

#include <algorithm>
#include <atomic>
#include <vector>

namespace thinkbench::core {

namespace {

// Chunks of rows per thread in a pass of the row kernels: enough that the last chunk taken is a
// small part of the pass, few enough that each is a long run of rows for the prefetcher.
constexpr int64_t kChunksPerThread = 8;

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
    // Described only for an error: a decode step checks ~100 matrices.
    const auto matrix = [&] {
        return std::string(traits.name) + " matrix [" + std::to_string(w.rows) + ", " + std::to_string(w.cols) + "]";
    };
    if (w.rows < 0 || w.cols < 0 || w.cols % traits.blockElements != 0)
        throw Error("", "quantizedLinear",
                    matrix() + ": columns must be a multiple of " + std::to_string(traits.blockElements));
    if (w.data == nullptr && w.rows * w.cols > 0)
        throw Error("", "quantizedLinear", matrix() + " has no data");
    if (x.dim() < 1 || x.size(-1) != w.cols)
        throw Error("", "quantizedLinear",
                    "x of shape " + c10::str(x.sizes()) + " does not end in the " + matrix() + "'s " +
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

// One int8 form of x (rows_kernel.h), in buffers kept between calls.
struct RoundedX {
    std::vector<int8_t> q;
    std::vector<float> scale;
    std::vector<int16_t> sum16;

    quant::Int8Blocks round(const quant::Activations& a, int64_t block, quant::ActivationQuantizer quantize)
    {
        int8_t* qs = scratch(q, a.n * a.cols);
        float* scales = scratch(scale, a.n * a.cols / block);
        int16_t* sums = scratch(sum16, a.n * a.cols / 16);
        quantize(a.x, a.n, a.cols, block, qs, scales, sums);
        return {qs, scales, sums};
    }
};

} // namespace

int64_t QuantizedMatrix::rowBytes() const
{
    const GgmlTypeTraits& traits = checkedTraits(*this);
    return cols / traits.blockElements * traits.blockBytes;
}

bool keptQuantized(GgmlType type, at::ScalarType dtype)
{
    if (dtype != at::kFloat && dtype != at::kBFloat16)
        return false;
    switch (type) {
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q5_0:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::F16:
        return true;
    case GgmlType::BF16: // a bf16 model reads it in place as a plain tensor; LinearWeight runs the same kernel on it
        return dtype == at::kFloat;
    default:
        return false;
    }
}

at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w)
{
    return quant::quantizedLinears(x, {&w, 1}, quant::bestIsa())[0];
}

std::vector<at::Tensor> quantizedLinears(const at::Tensor& x, std::span<const QuantizedMatrix> ws)
{
    return quant::quantizedLinears(x, ws, quant::bestIsa());
}

namespace quant {

bool viaGemm(Isa isa, GgmlType type, int64_t rowsOfX)
{
    if (isa == Isa::Portable || rowsOfX < kGemmRows)
        return false;
    return cpuMultipliesBf16() || activationForm(isa, type) != ActivationForm::Int8By256;
}

at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w, Isa isa, Path path)
{
    return quantizedLinears(x, {&w, 1}, isa, path)[0];
}

std::vector<at::Tensor> quantizedLinears(const at::Tensor& x, std::span<const QuantizedMatrix> ws, Isa isa, Path path)
{
    // Each matrix's kernel: the ISA's, or the portable one where it has none for the type.
    std::vector<Isa> isas;
    std::vector<RowsKernel> kernels;
    for (const QuantizedMatrix& w : ws) {
        check(x, w);
        Isa own = isa;
        RowsKernel kernel = rowsKernel(own, w.type);
        if (kernel == nullptr) {
            own = Isa::Portable;
            kernel = rowsKernel(own, w.type);
        }
        if (kernel == nullptr)
            throw Error("", "quantizedLinear",
                        "no kernel for " + ggmlTypeName(static_cast<uint32_t>(w.type)) + " weights");
        isas.push_back(own);
        kernels.push_back(kernel);
    }

    const at::Tensor xc = x.contiguous();
    Activations a;
    a.cols = x.size(-1);
    a.n = a.cols == 0 ? x.numel() : x.numel() / a.cols;
    // Every type runs our row kernels up to viaGemm's switch. For F32 and BF16 too: torch's
    // one-row products are MKL's, which on AMD CPUs runs its generic code on one thread (0.5B F32
    // decode at 7 tok/s where the weights allow 16; bench/results/inference.md).
    std::vector<at::Tensor> results;
    std::vector<size_t> byRows; // the matrices the row kernels multiply
    for (size_t i = 0; i < ws.size(); ++i) {
        std::vector<int64_t> shape = x.sizes().vec();
        shape.back() = ws[i].rows;
        if (path == Path::Chosen && viaGemm(isas[i], ws[i].type, a.n)) {
            results.push_back(dequantizedGemm(xc.view({a.n, a.cols}), ws[i]).view(shape));
            continue;
        }
        results.push_back(at::empty(shape, x.options().memory_format(c10::MemoryFormat::Contiguous)));
        if (a.n > 0 && ws[i].rows > 0)
            byRows.push_back(i);
    }
    if (byRows.empty())
        return results;

    thread_local std::vector<float> xBuffer, outBuffer;
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
    // x rounded once to each int8 form some kernel reads (a Q4_K_M layer's q, k and v read the one by 256).
    auto anyReads = [&](ActivationForm form) {
        return std::any_of(byRows.begin(), byRows.end(),
                           [&](size_t i) { return activationForm(isas[i], ws[i].type) == form; });
    };
    thread_local std::vector<c10::BFloat16> xBf16Buffer;
    if (anyReads(ActivationForm::Bf16)) {
        if (isFloat) {
            c10::BFloat16* rounded = scratch(xBf16Buffer, a.n * a.cols);
            for (int64_t i = 0; i < a.n * a.cols; ++i)
                rounded[i] = c10::BFloat16(a.x[i]); // to nearest even
            a.xBf16 = reinterpret_cast<const uint16_t*>(rounded);
        } else {
            a.xBf16 = reinterpret_cast<const uint16_t*>(xc.const_data_ptr<c10::BFloat16>());
        }
    }
    thread_local RoundedX by32, by256;
    if (anyReads(ActivationForm::Int8By32))
        a.by32 = by32.round(a, 32, activationQuantizer(isa));
    if (anyReads(ActivationForm::Int8By256))
        a.by256 = by256.round(a, 256, activationQuantizer(isa));

    // The matrices' rows end to end, so one pass of the threads covers them all (q, k and v of a
    // layer; gate and up): one fork and join, and one rounding of x, for all of them.
    std::vector<int64_t> firstRow{0};
    std::vector<float*> outs;
    int64_t totalRows = 0;
    for (size_t i : byRows)
        totalRows += ws[i].rows;
    float* buffer = isFloat ? nullptr : scratch(outBuffer, a.n * totalRows);
    for (size_t i : byRows) {
        outs.push_back(isFloat ? results[i].data_ptr<float>() : buffer + a.n * firstRow.back());
        firstRow.push_back(firstRow.back() + ws[i].rows);
    }
    // A bf16 x's results are rounded to bf16 by the thread that computed them, while they are in its cache
    // (after the pass, on the calling thread alone, it took ~0.3 ms of a 0.5B bf16 decode step).
    std::vector<c10::BFloat16*> targets;
    if (!isFloat)
        for (size_t i : byRows)
            targets.push_back(results[i].data_ptr<c10::BFloat16>());
    const auto multiplyRows = [&](int64_t begin, int64_t end) {
        for (size_t j = 0; j < byRows.size(); ++j) {
            const int64_t from = std::max(begin, firstRow[j]) - firstRow[j],
                          to = std::min(end, firstRow[j + 1]) - firstRow[j];
            if (from >= to)
                continue;
            const QuantizedMatrix& w = ws[byRows[j]];
            kernels[byRows[j]]({w.data, w.rowBytes(), w.rows}, a, from, to, outs[j]);
            if (!isFloat)
                for (int64_t b = 0; b < a.n; ++b)
                    for (int64_t r = b * w.rows + from; r < b * w.rows + to; ++r)
                        targets[j][r] = c10::BFloat16(outs[j][r]);
        }
    };
    // The threads take chunks of rows in turn rather than a share fixed in advance: a thread that
    // starts late (woken from its wait) or runs slow (another tenant on its core) takes fewer, where
    // with fixed shares the others would wait for it at the end of the pass.
    const int64_t threads = at::get_num_threads();
    if (threads == 1 || at::in_parallel_region() || totalRows < 2 * parallelGrain(a.n * a.cols)) {
        multiplyRows(0, totalRows);
    } else {
        // Whole groups of 16 weight rows, the group the kernels pass each tile of x over (row_tiles.h).
        const int64_t chunk =
            std::max(parallelGrain(a.n * a.cols), (totalRows / (kChunksPerThread * threads) + 15) / 16 * 16);
        std::atomic<int64_t> next{0};
        at::parallel_for(0, threads, 1, [&](int64_t, int64_t) {
            for (int64_t begin = next.fetch_add(chunk); begin < totalRows; begin = next.fetch_add(chunk))
                multiplyRows(begin, std::min(totalRows, begin + chunk));
        });
    }

    return results;
}

} // namespace quant

} // namespace thinkbench::core
