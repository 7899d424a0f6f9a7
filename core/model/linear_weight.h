#pragma once
// The weight W of one linear projection (x W^T): a dense tensor, trainable and on any device, or a
// QuantizedMatrix read in place from a GGUF file, for inference on the CPU. Every projection of a
// layer, the embedding and the lm head hold one, so a model is dense or quantized tensor by tensor
// and the forward pass does not care which.

#include "core/quant/quantized_matrix.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace thinkbench::core {

class MappedFile;

class LinearWeight {
public:
    LinearWeight() = default;
    LinearWeight(at::Tensor dense); // implicit: a plain tensor is a dense weight
    // where: the file and tensor it was read from, for errors ("m.gguf (blk.0.attn_q.weight)").
    LinearWeight(QuantizedMatrix quantized, std::string where);

    bool defined() const { return dense_.defined() || quantized_.has_value(); }
    bool isQuantized() const { return quantized_.has_value(); }
    const at::Tensor& dense() const { return dense_; } // undefined when quantized
    const QuantizedMatrix& quantized() const { return *quantized_; }
    int64_t rows() const;
    int64_t cols() const;

    // x W^T + b: a dense weight through at::linear (a bf16 or f32 one through quantizedLinear where
    // no gradient is wanted on the CPU), a quantized one through quantizedLinear. A
    // quantized weight has no gradient, so an input that wants one is an error naming the tensor.
    at::Tensor product(const at::Tensor& x, const at::Tensor& b = {}) const;
    // product(x, biases[i]) of each weight (an undefined bias adds nothing); where every one runs
    // the row kernels, in one pass of the threads over all their rows (quantizedLinears).
    static std::vector<at::Tensor> products(const at::Tensor& x, std::span<const LinearWeight* const> weights,
                                            std::span<const at::Tensor> biases);
    // The rows `ids` of W in `dtype`, shaped [ids..., cols]: the embedding lookup. Quantized rows are
    // dequantized as they are looked up, so the embedding needs no dequantized copy.
    at::Tensor lookup(const at::Tensor& ids, at::ScalarType dtype) const;
    // For a table read in place from pages of `file` left in the page cache (an untied embedding):
    // each lookup() gives back the pages it mapped (MappedFile::release). The kernel maps the pages
    // around each one read (fault-around, 16 by default, which MADV_RANDOM does not stop), so the few
    // hundred tokens of a run would otherwise keep ~64 KiB each of the table in memory.
    void giveBackPagesAfterLookup(std::shared_ptr<const MappedFile> file) { pageCache_ = std::move(file); }

private:
    // The matrix the row kernels read for x W^T, or none where at::linear computes it.
    std::optional<QuantizedMatrix> rowKernelMatrix(const at::Tensor& x) const;
    // lookup() of a quantized table: each row dequantized as it is read.
    at::Tensor dequantizedRows(const at::Tensor& ids, at::ScalarType dtype) const;

    at::Tensor dense_;
    std::optional<QuantizedMatrix> quantized_;
    std::string where_;
    std::shared_ptr<const MappedFile> pageCache_;
};

} // namespace thinkbench::core
