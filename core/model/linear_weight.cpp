#include "core/model/linear_weight.h"

#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/quant/kernel_isa.h"

#include <ATen/ATen.h>

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

} // namespace

at::Tensor LinearWeight::product(const at::Tensor& x, const at::Tensor& b) const
{
    if (!quantized_ && rowKernelServes(dense_, x)) {
        const QuantizedMatrix view{dense_.scalar_type() == at::kFloat ? GgmlType::F32 : GgmlType::BF16, dense_.size(0),
                                   dense_.size(1), static_cast<const uint8_t*>(dense_.const_data_ptr()), nullptr};
        at::Tensor y = quantizedLinear(x, view);
        return b.defined() ? y.add_(b) : y;
    }
    if (!quantized_)
        return at::linear(x, dense_, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt);
    if (at::GradMode::is_enabled() && x.requires_grad())
        throw Error(where_, ggmlTypeName(static_cast<uint32_t>(quantized_->type)) + " weight",
                    "the model was loaded with quantized weights, for inference only: training needs it loaded "
                    "for training (dequantized)");
    at::Tensor y = quantizedLinear(x, *quantized_);
    return b.defined() ? y.add_(b) : y;
}

at::Tensor LinearWeight::lookup(const at::Tensor& ids, at::ScalarType dtype) const
{
    if (!quantized_)
        return at::embedding(dense_, ids);
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
