#include "core/model/linear_weight.h"

#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/mapped_file.h"
#include "core/quant/kernel_isa.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <type_traits>

namespace thinkbench::core {

LinearWeight::LinearWeight(at::Tensor dense)
    : dense_(std::move(dense))
{
}

LinearWeight::LinearWeight(QuantizedMatrix quantized, std::string where)
    : quantized_(std::move(quantized))
    , where_(std::move(where))
{
}

int64_t LinearWeight::rows() const
{
    return quantized_ ? quantized_->rows : dense_.size(0);
}

int64_t LinearWeight::cols() const
{
    return quantized_ ? quantized_->cols : dense_.size(1);
}

namespace {

// A bf16 or f32 weight on the CPU with no gradient wanted (decode, rollouts), where the CPU runs
// the SIMD kernels: quantizedLinear reads it in place with our row kernels, which stream it on
// every thread on any vendor's CPU (torch's one-row products are MKL's, which on AMD runs generic
// code on one thread; bench/results/inference.md). From quant::kGemmRows rows on it hands back to
// a GEMM.
bool rowKernelServes(const at::Tensor& w, const at::Tensor& x)
{
    return (w.scalar_type() == at::kBFloat16 || w.scalar_type() == at::kFloat) && w.dim() == 2 && w.device().is_cpu() &&
           w.is_contiguous() && x.device().is_cpu() &&
           (x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kFloat) &&
           !(at::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad())) &&
           quant::bestIsa() != quant::Isa::Portable;
}

// y + b into y, rounded as torch's add_ rounds (in f32, then once to y's dtype): a loop for what a
// decode step gives (the row kernels' contiguous output, a bias of its dtype), add_ otherwise; three
// a Qwen2 layer, whose dispatch cost more than their arithmetic.
void addBias(at::Tensor& y, const at::Tensor& b)
{
    const bool loopServes = y.is_contiguous() && b.is_contiguous() && y.device().is_cpu() && b.device().is_cpu() &&
                            b.dim() == 1 && y.dim() >= 1 && y.size(-1) == b.size(0) &&
                            b.scalar_type() == y.scalar_type() &&
                            (y.scalar_type() == at::kFloat || y.scalar_type() == at::kBFloat16) &&
                            !(at::GradMode::is_enabled() && (y.requires_grad() || b.requires_grad()));
    if (!loopServes) {
        y.add_(b);
        return;
    }
    const int64_t n = b.size(0), rows = n == 0 ? 0 : y.numel() / n;
    const auto add = [&](auto* type) {
        using T = std::remove_pointer_t<decltype(type)>;
        T* out = y.mutable_data_ptr<T>();
        const T* bias = b.const_data_ptr<T>();
        for (int64_t r = 0; r < rows; ++r, out += n)
            for (int64_t i = 0; i < n; ++i)
                out[i] = static_cast<T>(static_cast<float>(out[i]) + static_cast<float>(bias[i]));
    };
    if (y.scalar_type() == at::kFloat)
        add(static_cast<float*>(nullptr));
    else
        add(static_cast<c10::BFloat16*>(nullptr));
}

} // namespace

std::optional<QuantizedMatrix> LinearWeight::rowKernelMatrix(const at::Tensor& x) const
{
    if (quantized_) {
        if (at::GradMode::is_enabled() && x.requires_grad())
            throw Error(where_, ggmlTypeName(static_cast<uint32_t>(quantized_->type)) + " weight",
                        "the model was loaded with quantized weights, for inference only: training needs it loaded "
                        "for training (dequantized)");
        return quantized_;
    }
    if (!rowKernelServes(dense_, x))
        return std::nullopt;
    return QuantizedMatrix{dense_.scalar_type() == at::kFloat ? GgmlType::F32 : GgmlType::BF16, dense_.size(0),
                           dense_.size(1), static_cast<const uint8_t*>(dense_.const_data_ptr()), nullptr};
}

at::Tensor LinearWeight::product(const at::Tensor& x, const at::Tensor& b) const
{
    const std::optional<QuantizedMatrix> matrix = rowKernelMatrix(x);
    if (!matrix)
        return at::linear(x, dense_, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt);
    at::Tensor y = quantizedLinear(x, *matrix);
    if (b.defined())
        addBias(y, b);
    return y;
}

std::vector<at::Tensor> LinearWeight::products(const at::Tensor& x, std::span<const LinearWeight* const> weights,
                                               std::span<const at::Tensor> biases)
{
    std::vector<QuantizedMatrix> matrices;
    for (const LinearWeight* w : weights)
        if (std::optional<QuantizedMatrix> matrix = w->rowKernelMatrix(x))
            matrices.push_back(std::move(*matrix));
    std::vector<at::Tensor> out;
    if (matrices.size() != weights.size()) {
        for (size_t i = 0; i < weights.size(); ++i)
            out.push_back(weights[i]->product(x, biases[i]));
        return out;
    }
    out = quantizedLinears(x, matrices);
    for (size_t i = 0; i < weights.size(); ++i)
        if (biases[i].defined())
            addBias(out[i], biases[i]);
    return out;
}

at::Tensor LinearWeight::lookup(const at::Tensor& ids, at::ScalarType dtype) const
{
    at::Tensor rows = quantized_ ? dequantizedRows(ids, dtype) : at::embedding(dense_, ids);
    if (pageCache_) {
        const void* table = quantized_ ? static_cast<const void*>(quantized_->data) : dense_.const_data_ptr();
        const size_t bytes =
            quantized_ ? static_cast<size_t>(quantized_->rows * quantized_->rowBytes()) : dense_.nbytes();
        pageCache_->release(static_cast<const char*>(table), bytes);
    }
    return rows;
}

at::Tensor LinearWeight::dequantizedRows(const at::Tensor& ids, at::ScalarType dtype) const
{
    const at::Tensor flat = ids.reshape({-1}).to(at::kCPU).to(at::kLong).contiguous();
    const int64_t n = flat.numel(), cols = quantized_->cols;
    at::Tensor out = at::empty({n, cols}, at::kFloat);
    const int64_t* id = flat.data_ptr<int64_t>();
    float* row = out.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i, row += cols) {
        if (id[i] < 0 || id[i] >= quantized_->rows)
            throw Error(where_, "token id " + std::to_string(id[i]),
                        "outside the " + std::to_string(quantized_->rows) + " rows of the embedding");
        dequantize(quantized_->type, quantized_->data + id[i] * quantized_->rowBytes(), cols, row);
    }
    std::vector<int64_t> shape(ids.sizes().begin(), ids.sizes().end());
    shape.push_back(cols);
    return out.to(dtype).view(shape);
}

} // namespace thinkbench::core
