#pragma once
// A weight matrix kept in its GGUF blocks (Q8_0, Q4_K, Q5_K, Q6_K, F16, BF16) instead of being
// dequantized at load: the file's bytes are the model's memory, and a decode step reads each
// weight once, at its stored width. quantizedLinear() is the only way to use one.

#include "core/gguf/gguf_types.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace thinkbench::core {

struct QuantizedMatrix {
    GgmlType type = GgmlType::F32;
    int64_t rows = 0; // output features
    int64_t cols = 0; // input features: a multiple of the type's block elements
    // rows * rowBytes() bytes, row-major, each row a whole number of blocks.
    const uint8_t* data = nullptr;
    // Keeps `data` alive: the mapped GGUF file, or a buffer the matrix was quantized into.
    std::shared_ptr<const void> owner;

    int64_t rowBytes() const;
};

// Whether a projection stored as `type` (in a GGUF file, or F16/BF16 in safetensors) stays in its
// blocks for a model computing in `dtype`: the types quantizedLinear has kernels for, with the inputs
// it takes (f32, bf16); BF16 only where the model is f32 (a bf16 model reads it in place as a plain
// tensor).
bool keptQuantized(GgmlType type, at::ScalarType dtype);

// x W^T for x of shape [..., cols] in f32 or bf16; the result is [..., rows] in x's dtype. Runs on
// torch's intra-op threads. Throws core::Error for a type without a kernel or a shape mismatch.
at::Tensor quantizedLinear(const at::Tensor& x, const QuantizedMatrix& w);
// x W^T for each matrix of ws (all with x's columns): one rounding of x and one pass of the threads
// over all their rows, where a decode step would otherwise fork and join once a matrix (a layer's
// q, k and v; its gate and up). Each result is what quantizedLinear(x, w) gives.
std::vector<at::Tensor> quantizedLinears(const at::Tensor& x, std::span<const QuantizedMatrix> ws);

} // namespace thinkbench::core
