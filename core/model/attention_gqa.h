#pragma once
// Grouped-query attention (qwen2, llama): nh query heads share num_key_value_heads key/value heads;
// the KV cache holds keys and values per kv head.

#include "core/model/layers.h"

namespace thinkbench::core {

// x: [B, T, hidden] normed; returns [B, T, hidden]. Writes this layer's keys and values into
// `cache` at ctx.past when given.
at::Tensor attendGqa(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, const ForwardContext& ctx,
                     KvCache* cache, int layer, double scale);

} // namespace thinkbench::core
