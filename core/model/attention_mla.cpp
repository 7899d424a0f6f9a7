#include "core/model/attention_mla.h"

#include "core/model/rope.h"

#include <ATen/ATen.h>

namespace thinkbench::core {

at::Tensor attendMlaAbsorbed(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& qPass,
                             const at::Tensor& qRot, const at::Tensor& latent, const at::Tensor& kRot,
                             const at::Tensor& mask, double scale)
{
    const int64_t B = qPass.size(0), nh = qPass.size(1), T = qPass.size(2), S = latent.size(1),
                  nope = c.qk_nope_head_dim, vd = c.v_head_dim, rank = c.kv_lora_rank;
    const at::Tensor w = L.kvB.view({nh, nope + vd, rank});
    // Per head: [nh, B*T, nope] x [nh, nope, rank], then back to one row per (head, position).
    const at::Tensor qLatent = at::bmm(qPass.permute({1, 0, 2, 3}).reshape({nh, B * T, nope}), w.narrow(1, 0, nope))
                                   .view({nh, B, T, rank})
                                   .permute({1, 0, 2, 3})
                                   .reshape({B, nh * T, rank});
    // Every (head, position) row attends to the one shared latent: a single head of nh*T queries.
    const at::Tensor query = at::cat({qLatent, qRot.reshape({B, nh * T, qRot.size(-1)})}, -1);
    const at::Tensor key = at::cat({latent, kRot}, -1);
    const at::Tensor rowMask = mask.expand({B, nh, T, S}).reshape({B, 1, nh * T, S});
    const at::Tensor context =
        attend(query.unsqueeze(1), key.unsqueeze(1), latent.unsqueeze(1), rowMask, scale) // [B, 1, nh*T, rank]
            .view({B, nh, T, rank})
            .permute({1, 0, 2, 3})
            .reshape({nh, B * T, rank});
    return at::bmm(context, w.narrow(1, nope, vd).transpose(1, 2)) // [nh, B*T, v]
        .view({nh, B, T, vd})
        .permute({1, 2, 0, 3})
        .reshape({B, T, nh * vd});
}

at::Tensor attendMla(const Transformer::Layer& L, const ModelConfig& c, const at::Tensor& x, const ForwardContext& ctx,
                     KvCache* cache, int layer, double scale)
{
    const int64_t B = x.size(0), T = x.size(1), nh = c.num_attention_heads, nope = c.qk_nope_head_dim,
                  rope = c.qk_rope_head_dim, vd = c.v_head_dim;
    at::Tensor q =
        c.q_lora_rank > 0 ? dense(rmsNorm(dense(x, L.qA, L.qABias), L.qANorm, c.rms_norm_eps), L.qB) : dense(x, L.q);
    q = q.view({B, T, nh, nope + rope}).transpose(1, 2);
    at::Tensor qPass = q.narrow(-1, 0, nope);
    at::Tensor qRot = applyRope(q.narrow(-1, nope, rope), ctx.cos, ctx.sin, c.rope_interleave);

    const at::Tensor compressed = dense(x, L.kvA, L.kvABias);
    at::Tensor latent = rmsNorm(compressed.narrow(-1, 0, c.kv_lora_rank), L.kvANorm, c.rms_norm_eps);
    at::Tensor kRot = applyRope(compressed.narrow(-1, c.kv_lora_rank, rope).unsqueeze(1), ctx.cos, ctx.sin,
                                c.rope_interleave); // [B, 1, T, rope]
    if (cache) {
        cache->first[static_cast<size_t>(layer)].narrow(1, ctx.past, T).copy_(latent);
        cache->second[static_cast<size_t>(layer)].narrow(1, ctx.past, T).copy_(kRot.squeeze(1));
        latent = cache->first[static_cast<size_t>(layer)].narrow(1, 0, ctx.past + T);
        kRot = cache->second[static_cast<size_t>(layer)].narrow(1, 0, ctx.past + T).unsqueeze(1);
    }
    const int64_t S = latent.size(1);
    if (cache && ctx.past > 0)
        return dense(attendMlaAbsorbed(L, c, qPass, qRot, latent, kRot.squeeze(1), ctx.mask, scale), L.o, L.oBias);
    const at::Tensor kv = dense(latent, L.kvB).view({B, S, nh, nope + vd}).transpose(1, 2);
    const at::Tensor key = at::cat({kv.narrow(-1, 0, nope), kRot.expand({B, nh, S, rope})}, -1);
    const at::Tensor value = kv.narrow(-1, nope, vd);
    const at::Tensor out = attend(at::cat({qPass, qRot}, -1), key, value, ctx.mask, scale);
    return dense(out.transpose(1, 2).reshape({B, T, nh * vd}), L.o, L.oBias);
}

} // namespace thinkbench::core
