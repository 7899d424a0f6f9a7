#pragma once
// A prompt's prefill in chunks of positions through the KV cache: its activations (the MLP's
// [tokens, intermediate] products above all) then take a chunk's memory rather than the whole
// prompt's, whatever the prompt's length, and the logits are the same as one pass gives.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace thinkbench::core {
class Transformer;
struct KvCache;
} // namespace thinkbench::core

namespace thinkbench::inference {

struct PrefillOutput {
    at::Tensor logits; // [B, 1, vocab]: the last position's
    // [MoE layers] of [B * T, K]: the experts each position went to, rows in order (b, t)
    std::vector<at::Tensor> routedExperts;
};

// On the CPU a prefill's forwards take as many rows of x (batch x positions) as keep the MLP's f32
// [rows, intermediate] product within kCpuPrefillBytes, in chunks of even length: 468 rows at the
// 1.5B shape, so its 512-token prefill runs as two of 256, and the whole prompt for a micro model,
// whose forwards cost more than their rows. Smaller chunks cost the types whose weights the GEMM
// converts per call: 1.5B BF16 fell 44.4 -> 31-33 tok/s in chunks of 117 rows; in two it ran 42.0,
// Q8_0 46.1 -> 48.7 and Q4_K_M 59.8 -> 62.3, with peak RSS 28-74 MB lower (AVX2 EPYC, 2 threads).
// A GPU prefills in one pass.
constexpr int64_t kCpuPrefillBytes = int64_t{16} << 20;

// Rows of x per forward of `model`'s prefill: kCpuPrefillBytes' worth on the CPU, unlimited on a GPU.
int64_t prefillRows(const core::Transformer& model);

// ids [B, T], T >= 1 (the callers refuse an empty prompt), into an empty `cache`, in chunks of even
// length of at most max(1, rows / B) positions; mask [B, T] (1 real, 0 left padding) or undefined.
PrefillOutput prefillInChunks(const core::Transformer& model, const at::Tensor& ids, const at::Tensor& mask,
                              core::KvCache& cache, int64_t rows);

} // namespace thinkbench::inference
