#pragma once
// Softmax attention of one new token per sequence against the keys cached so far, on the CPU: the
// attention of a decode step. torch's fused kernel pays a GEMM call per head for a one-row
// product, and in bf16 MKL's one-row GEMM is slow: 17% of a 0.5B bf16 decode step at 600 tokens of
// context went there (bench/results/inference.md). Here each key and value row is read once for
// every query head that shares it, with scores, softmax and sums in f32.

#include <ATen/core/Tensor.h>

namespace thinkbench::core {

// Whether attendOneQuery() takes these inputs: one query row (q [B, heads, 1, dk]), k and v
// [B, kv heads, S, dk|dv] on the CPU in f32 or bf16, heads a multiple of kv heads, rows of unit
// stride, an additive floating mask broadcastable to [B, heads, 1, S] (or none), no gradient wanted.
bool attendsOneQuery(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask);

// softmax(q k^T * scale + mask) v for the inputs above; query head h reads kv head h / (heads / kv
// heads). Returns [B, heads, 1, dv] in q's dtype. Each row's sums run over the keys in order, so a
// row's result does not depend on the other rows of its batch or on masked keys before it.
at::Tensor attendOneQuery(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                          double scale);

// Whether attendNewTokens() takes these inputs: one new token per sequence, q [B, 1, heads * d]
// and k, v [B, 1, kv heads * d] as the projections give them (before rope), cos and sin
// [B, 1, 1, d], the cache's keys and values [B, kv heads, capacity, d] with room at `past`, the
// mask [B, 1, 1, past + 1]; all contiguous, in one dtype (f32 or bf16), no gradient wanted.
bool attendsNewTokens(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& cos,
                      const at::Tensor& sin, const at::Tensor& keys, const at::Tensor& values, int64_t past,
                      const at::Tensor& mask);

// A decode step's attention in one call, where its tensor ops (rope on q and k, the cache writes,
// the views and the mask's conversion: ~20 a layer) cost more in dispatch than the arithmetic:
// rotates q and k (applyRope's halves), writes k and v into the cache rows at `past`, and attends
// as attendOneQuery over the first past + 1 rows. Returns [B, 1, heads * d], the layout the output
// projection reads.
at::Tensor attendNewTokens(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& cos,
                           const at::Tensor& sin, at::Tensor& keys, at::Tensor& values, int64_t past,
                           const at::Tensor& mask, double scale);

} // namespace thinkbench::core
