#pragma once
// Multi-head latent attention (deepseek_v3): keys and values come from one low-rank latent per
// position plus a shared rotary key; the KV cache holds the latent and the rotary key only.

#include "core/model/layers.h"

namespace thinkbench::core {

// x: [B, T, hidden] normed; returns [B, T, hidden]. With a cache and past tokens it decodes in
// the absorbed form (attendMlaAbsorbed).
at::Tensor attendMla(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, const ForwardContext& ctx,
                     KvCache* cache, int layer, double scale);

// Decoding against the cached latent without expanding it: kv_b_proj's key half is folded into
// the query and its value half applied after attention (DeepSeek-V3's "absorb" mode). Expanding
// every cached position to per-head keys and values costs S x kv_lora_rank x heads x (nope + v)
// per new token; this costs S x heads x (kv_lora_rank + rope). Shapes: qPass [B, nh, T, nope],
// qRot [B, nh, T, rope], latent [B, S, kv_lora_rank], kRot [B, S, rope]; returns [B, T, nh * v].
at::Tensor attendMlaAbsorbed(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& qPass,
                             const at::Tensor& qRot, const at::Tensor& latent, const at::Tensor& kRot,
                             const at::Tensor& mask, double scale);

} // namespace thinkbench::core
