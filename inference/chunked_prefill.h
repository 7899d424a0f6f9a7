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
// [rows, intermediate] product within kCpuPrefillBytes: 117 rows for the 1.5B shape, whose 512-token
// prefill then peaked 31 MB above its 8-token one where one pass peaked 73 MB, at the same speed
// (62.5 against 61 tok/s, AVX2 EPYC, 2 threads); the whole prompt for a micro model, whose forwards
// cost more than their rows. A GPU prefills in one pass.
constexpr int64_t kCpuPrefillBytes = int64_t{4} << 20;

// Rows of x per forward of `model`'s prefill: kCpuPrefillBytes' worth on the CPU, unlimited on a GPU.
int64_t prefillRows(const core::Transformer& model);

// ids [B, T] into an empty `cache`, max(1, rows / B) positions a forward; mask [B, T] (1 real, 0 left
// padding) or undefined.
PrefillOutput prefillInChunks(const core::Transformer& model, const at::Tensor& ids, const at::Tensor& mask,
                              core::KvCache& cache, int64_t rows);

} // namespace thinkbench::inference
