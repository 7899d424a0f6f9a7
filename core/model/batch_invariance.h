#pragma once
// Batch-invariant forward passes: while a BatchInvariantScope is alive on a thread, a row's logits
// do not depend on which other rows share the batch nor on its left padding, bit for bit. Two
// things break that in the plain path on the CPU: a GEMM's kernel (and so its rounding) changes
// with the number of rows (one row takes a GEMV path), and softmax attention sums a different
// number of keys at different offsets when a row is padded. Here dense layers run in fixed blocks
// of kInvariantRows rows (a row's result in a block depends on nothing else in it), and attention
// runs row by row over each row's own keys only. The serving engine turns it on, so a request's
// reply is the one it gets alone.

#include "core/model/linear_weight.h"

#include <ATen/core/Tensor.h>

namespace thinkbench::core {

inline constexpr int64_t kInvariantRows = 16;

class BatchInvariantScope {
public:
    BatchInvariantScope();
    ~BatchInvariantScope();
    BatchInvariantScope(const BatchInvariantScope&) = delete;
    BatchInvariantScope& operator=(const BatchInvariantScope&) = delete;
    static bool active();

private:
    bool previous_;
};

// x [..., in] times w [out, in] (+ b), computed kInvariantRows rows at a time (zero rows pad the
// last block).
at::Tensor linearInRowBlocks(const at::Tensor& x, const LinearWeight& w, const at::Tensor& b);

// Softmax attention row by row: q [B, H, T, D], k and v [B, Hkv, S, D], mask [B, 1, T', S]
// additive. A row's keys are its contiguous real ones at the end (left padding): each row sees
// only those, with the mask cut to them.
at::Tensor attendRowByRow(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                          double scale, bool enableGqa);

} // namespace thinkbench::core
