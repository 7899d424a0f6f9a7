#pragma once
// What the concept files (attention_gqa, attention_mla, moe) share: the parameter handles of one
// layer, the forward context of one call, and the small building blocks (RMSNorm, dense, SwiGLU,
// softmax attention).

#include "core/model/linear_weight.h"
#include "core/model/transformer.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace thinkbench::core {

// Handles (shared storage) on the parameters one layer uses, so forward() does no name lookups.
// tensor_names binds them by Hugging Face name. Projections are LinearWeights (dense or quantized);
// MLA's kv_b_proj stays a tensor, as the absorbed decode multiplies by its per-head slices.
struct Transformer::Layer {
    at::Tensor inputNorm, postNorm;
    LinearWeight q, k, v, o; // GQA; MLA's o, and its q without a low rank
    at::Tensor qBias, kBias, vBias, oBias;
    LinearWeight qA, qB, kvA; // MLA
    at::Tensor qABias, qANorm, kvABias, kvANorm, kvB;
    LinearWeight gate, up, down; // dense MLP
    bool moe = false;
    at::Tensor router, selectionBias;
    std::vector<LinearWeight> expertGate, expertUp, expertDown;
    LinearWeight sharedGate, sharedUp, sharedDown;
};

// What every layer of one forward call sees.
struct ForwardContext {
    at::Tensor cos, sin; // [B, 1, T, rope dim], the model dtype
    at::Tensor mask;     // [B, 1, T, S] additive
    int64_t past = 0;
};

// Hugging Face's RMSNorm: statistics in f32, the weight applied in the input dtype.
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

// x W^T + b, in fixed row blocks under a BatchInvariantScope.
at::Tensor dense(const at::Tensor& x, const LinearWeight& w, const at::Tensor& b = {});
// dense(x, weights[i], biases[i]) for each i: one bias, undefined or not, per weight. Projections of one
// input go together, so a decode step forks its threads once for all of them.
std::vector<at::Tensor> denseOfOneInput(const at::Tensor& x, std::initializer_list<const LinearWeight*> weights,
                                        std::initializer_list<at::Tensor> biases);

at::Tensor swiglu(const at::Tensor& x, const LinearWeight& gate, const LinearWeight& up, const LinearWeight& down);

// Softmax attention in torch's fused kernel, or for one query row on the CPU (decode) in
// decode_attention's: both keep scores and softmax in f32 for bf16 and f16 and round once, as
// Hugging Face's default (sdpa) does. Scores rounded to bf16 before the softmax
// double the error, more as attention sharpens, and tip near-tied MoE routing away from HF's.
at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask, double scale,
                  bool enableGqa = false);

} // namespace thinkbench::core
