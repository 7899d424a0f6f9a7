#include "core/model/attention_gqa.h"

#include "core/model/decode_attention.h"
#include "core/model/rope.h"

#include <ATen/ATen.h>

namespace thinkbench::core {

at::Tensor attendGqa(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, const ForwardContext& ctx,
                     KvCache* cache, int layer, double scale)
{
    const int64_t B = x.size(0), T = x.size(1), nh = c.num_attention_heads, kvh = c.num_key_value_heads,
                  hd = c.head_dim;
    const std::vector<at::Tensor> qkv = denseOfOneInput(x, {&L.q, &L.k, &L.v}, {L.qBias, L.kBias, L.vBias});
    if (cache) {
        at::Tensor& keys = cache->first[static_cast<size_t>(layer)];
        at::Tensor& values = cache->second[static_cast<size_t>(layer)];
        if (attendsNewTokens(qkv[0], qkv[1], qkv[2], ctx.cos, ctx.sin, keys, values, ctx.past, ctx.mask))
            return dense(
                attendNewTokens(qkv[0], qkv[1], qkv[2], ctx.cos, ctx.sin, keys, values, ctx.past, ctx.mask, scale), L.o,
                L.oBias);
    }
    at::Tensor q = qkv[0].view({B, T, nh, hd}).transpose(1, 2);
    at::Tensor k = qkv[1].view({B, T, kvh, hd}).transpose(1, 2);
    at::Tensor v = qkv[2].view({B, T, kvh, hd}).transpose(1, 2);
    q = applyRope(q, ctx.cos, ctx.sin, false);
    k = applyRope(k, ctx.cos, ctx.sin, false);
    if (cache) {
        cache->first[static_cast<size_t>(layer)].narrow(2, ctx.past, T).copy_(k);
        cache->second[static_cast<size_t>(layer)].narrow(2, ctx.past, T).copy_(v);
        k = cache->first[static_cast<size_t>(layer)].narrow(2, 0, ctx.past + T);
        v = cache->second[static_cast<size_t>(layer)].narrow(2, 0, ctx.past + T);
    }
    const at::Tensor out = attend(q, k, v, ctx.mask, scale, /*enableGqa=*/true); // heads share kv heads
    return dense(out.transpose(1, 2).reshape({B, T, nh * hd}), L.o, L.oBias);
}

} // namespace thinkbench::core
