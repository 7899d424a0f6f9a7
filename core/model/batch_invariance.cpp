#include "core/model/batch_invariance.h"

#include <ATen/ATen.h>

#include <vector>

namespace thinkbench::core {

namespace {
thread_local bool batchInvariant = false;
}

BatchInvariantScope::BatchInvariantScope()
    : previous_(batchInvariant)
{
    batchInvariant = true;
}

BatchInvariantScope::~BatchInvariantScope()
{
    batchInvariant = previous_;
}

bool BatchInvariantScope::active()
{
    return batchInvariant;
}

at::Tensor linearInRowBlocks(const at::Tensor& x, const LinearWeight& w, const at::Tensor& b)
{
    const at::Tensor flat = x.reshape({-1, x.size(-1)});
    const int64_t rows = flat.size(0);
    const int64_t blocks = (rows + kInvariantRows - 1) / kInvariantRows;
    std::vector<at::Tensor> outs;
    for (int64_t i = 0; i < blocks; ++i) {
        const int64_t from = i * kInvariantRows, count = std::min(kInvariantRows, rows - from);
        at::Tensor block = flat.narrow(0, from, count);
        if (count < kInvariantRows)
            block = at::cat({block, at::zeros({kInvariantRows - count, flat.size(1)}, flat.options())});
        outs.push_back(w.product(block.contiguous(), b).narrow(0, 0, count));
    }
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = w.rows();
    return (outs.size() == 1 ? outs[0] : at::cat(outs)).reshape(shape);
}

at::Tensor attendRowByRow(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                          double scale, bool enableGqa)
{
    const int64_t B = q.size(0), S = k.size(2);
    // The first real key of each row: where its last query's mask turns to zero.
    const at::Tensor lastQuery = mask.select(1, 0).select(1, -1); // [B, S]
    const at::Tensor first = (lastQuery == 0).to(at::kInt).argmax(-1).to(at::kCPU).to(at::kLong);
    const int64_t* start = first.data_ptr<int64_t>();
    std::vector<at::Tensor> outs;
    for (int64_t r = 0; r < B; ++r) {
        const int64_t n = S - start[r];
        const at::Tensor rowMask =
            mask.narrow(0, mask.size(0) == 1 ? 0 : r, 1).narrow(3, start[r], n).contiguous(); // [1, 1, T', n]
        outs.push_back(at::scaled_dot_product_attention(
            q.narrow(0, r, 1).contiguous(), k.narrow(0, r, 1).narrow(2, start[r], n).contiguous(),
            v.narrow(0, r, 1).narrow(2, start[r], n).contiguous(), rowMask, 0.0, false, scale, enableGqa));
    }
    return B == 1 ? outs[0] : at::cat(outs);
}

} // namespace thinkbench::core
