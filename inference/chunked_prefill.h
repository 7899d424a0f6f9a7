#pragma once
// A prompt's prefill in chunks of positions through the KV cache: its activations (the MLP's
// [tokens, intermediate] products above all) then take a chunk's memory rather than the whole
// prompt's, whatever the prompt's length, and the logits are the same as one pass gives.

#include <ATen/core/Tensor.h>

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

// Rows of x (batch x positions) per forward of a CPU prefill. The 1.5B Q4_K_M model's 512-token
// prefill peaked 73 MB above its 8-token one in one pass and 31 MB in chunks of 128, and ran 62.4 and
// 62.6 tok/s in chunks against 61.2 and 60.3 in one (AVX2 EPYC, 2 threads). A GPU prefills in one pass.
constexpr int64_t kCpuPrefillRows = 128;

// ids [B, T] into an empty `cache`; mask [B, T] (1 real, 0 left padding) or undefined.
PrefillOutput prefillInChunks(const core::Transformer& model, const at::Tensor& ids, const at::Tensor& mask,
                              core::KvCache& cache);

} // namespace thinkbench::inference
