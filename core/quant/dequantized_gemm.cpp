#include "core/quant/dequantized_gemm.h"

#include "core/gguf/dequantize.h"
#include "core/quant/kernel_isa.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/mkldnn_linear.h>
#include <ATen/ops/to_dense.h>
#include <ATen/ops/to_mkldnn.h>
#include <c10/util/BFloat16.h>

#include <algorithm>
#include <type_traits>

namespace thinkbench::core::quant {

namespace {

// Bytes per tile: 16 MiB, so most matrices of the 0.5B and 1.5B shapes are one bf16 tile. Each tile
// is three parallel regions (dequantize, GEMM, copy out), and on a shared machine a region waits for
// its slowest thread: fewer regions measured faster than an L2-sized tile.
constexpr int64_t kTileBytes = int64_t{1} << 24;
// Elements dequantized at once into f32 on the stack: one K-quant block, or 256 F16/BF16 values.
constexpr int64_t kChunk = 256;

template <class T> void dequantizeRows(const QuantizedMatrix& w, int64_t begin, int64_t end, T* tile)
{
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(w.type));
    const int64_t chunk = std::max<int64_t>(kChunk / traits.blockElements, 1) * traits.blockElements;
    const int64_t rowBytes = w.rowBytes();
    at::parallel_for(begin, end, 1, [&](int64_t first, int64_t last) {
        float decoded[kChunk];
        for (int64_t r = first; r < last; ++r)
            for (int64_t k = 0; k < w.cols; k += chunk) {
                const int64_t count = std::min(chunk, w.cols - k);
                const uint8_t* blocks = w.data + r * rowBytes + k / traits.blockElements * traits.blockBytes;
                T* out = tile + (r - begin) * w.cols + k;
                if constexpr (std::is_same_v<T, float>) {
                    dequantize(w.type, blocks, count, out);
                } else {
                    dequantize(w.type, blocks, count, decoded);
                    for (int64_t i = 0; i < count; ++i)
                        out[i] = T(decoded[i]);
                }
            }
    });
}

// torch's f32 GEMM is MKL's, which on AMD CPUs runs generic code; oneDNN's measured 1.5-2x it there
// on the 0.5B matrices (bench/results/inference.md). bf16 at::linear is oneDNN's already.
at::Tensor f32Linear(const at::Tensor& x, const at::Tensor& weights)
{
    if (at::hasMKLDNN())
        return at::mkldnn_linear(x.to_mkldnn(), weights).to_dense();
    return at::linear(x, weights);
}

} // namespace

at::Tensor dequantizedGemm(const at::Tensor& x, const QuantizedMatrix& w)
{
    const bool bf16Tiles = cpuMultipliesBf16();
    // Weights torch reads as they are: no tile, no copy.
    if (w.type == GgmlType::F32 || (w.type == GgmlType::BF16 && bf16Tiles)) {
        const at::ScalarType dtype = w.type == GgmlType::BF16 ? at::kBFloat16 : at::kFloat;
        const at::Tensor weights = at::from_blob(const_cast<uint8_t*>(w.data), {w.rows, w.cols}, at::dtype(dtype));
        const at::Tensor xw = x.to(dtype);
        return (dtype == at::kFloat ? f32Linear(xw, weights) : at::linear(xw, weights)).to(x.scalar_type());
    }
    const at::ScalarType tileType = bf16Tiles ? at::kBFloat16 : at::kFloat;
    const at::Tensor xt = x.to(tileType);
    at::Tensor result = at::empty({x.size(0), w.rows}, x.options());
    const int64_t tileElements = kTileBytes / static_cast<int64_t>(c10::elementSize(tileType));
    const int64_t tileRows = std::clamp<int64_t>(tileElements / std::max<int64_t>(w.cols, 1), 16, w.rows);
    // One tile per thread, kept: a fresh 16 MiB each call is fresh pages the kernel must zero.
    thread_local at::Tensor tileMemory;
    if (!tileMemory.defined() || tileMemory.scalar_type() != tileType || tileMemory.numel() < tileRows * w.cols)
        tileMemory = at::empty({tileRows * w.cols}, xt.options());
    const at::Tensor tile = tileMemory.narrow(0, 0, tileRows * w.cols).view({tileRows, w.cols});
    const at::Tensor halves = w.type == GgmlType::F16
                                  ? at::from_blob(const_cast<uint8_t*>(w.data), {w.rows, w.cols}, at::dtype(at::kHalf))
                                  : at::Tensor();
    for (int64_t r = 0; r < w.rows; r += tileRows) {
        const int64_t count = std::min(tileRows, w.rows - r);
        const at::Tensor rows = tile.narrow(0, 0, count);
        if (w.type == GgmlType::F16) // torch's vectorized conversion
            rows.copy_(halves.narrow(0, r, count));
        else if (bf16Tiles)
            dequantizeRows(w, r, r + count, tile.data_ptr<c10::BFloat16>());
        else
            dequantizeRows(w, r, r + count, tile.data_ptr<float>());
        result.narrow(1, r, count).copy_(bf16Tiles ? at::linear(xt, rows) : f32Linear(xt, rows));
    }
    return result;
}

} // namespace thinkbench::core::quant
