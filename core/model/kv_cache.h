#pragma once
// Keys and values of past positions, preallocated per layer for [batch, capacity]. For multi-head
// latent attention the cache holds the compressed latent (kv_lora_rank) and the rotated rope key,
// not full per-head keys and values: DeepSeek-V3's memory saving.

#include <ATen/core/Tensor.h>

#include <vector>

namespace thinkbench::core {

struct ModelConfig;

struct KvCache {
    // Per layer. GQA: keys [B, kv_heads, capacity, head_dim] and values alike.
    // MLA: latent [B, capacity, kv_lora_rank] and rope keys [B, capacity, qk_rope_head_dim].
    std::vector<at::Tensor> first;
    std::vector<at::Tensor> second;
    at::Tensor valid;   // [B, capacity] bool: a real token (false: left padding or unused)
    int64_t length = 0; // positions filled
    int64_t capacity = 0;

    static KvCache create(const ModelConfig& config, int64_t batch, int64_t capacity, at::ScalarType dtype,
                          at::Device device);
    int64_t batch() const { return valid.defined() ? valid.size(0) : 0; }
    // Keeps, reorders or repeats rows: rows[i] is the old row that becomes row i (n samples per
    // prompt share one prefill by repeating its row).
    void selectRows(const at::Tensor& rows);
    // Continuous batching (kv_cache.cpp). Adds other's rows after these; both are left-padded to
    // the longer length, which stays filled.
    void appendRows(const KvCache& other);
    // Room for `positions` more tokens, grown in steps so growth is rare.
    void reserve(int64_t positions);
    // Drops the leading positions no row uses (padding left by rows that finished).
    void dropLeadingPadding();
};

} // namespace thinkbench::core
