#pragma once
// Rotary position embeddings: the inverse frequencies of the default, llama3 and yarn variants
// (as Hugging Face computes them) and their application, halves-rotated or interleaved (DeepSeek).

#include <ATen/core/Tensor.h>
#include <c10/util/BFloat16.h>

namespace thinkbench::core {

struct ModelConfig;

struct RopeTables {
    at::Tensor invFreq;          // [rotary dim / 2], f32
    double attentionScale = 1.0; // yarn: multiplies cos and sin
    double softmaxScale = 1.0;   // attention logits scale (yarn's mscale for MLA included)
};
RopeTables ropeTables(const ModelConfig& config);

struct RopeAngles {
    at::Tensor cos, sin; // [B, 1, T, rotary dim] in the model dtype
};
RopeAngles ropeAngles(const at::Tensor& invFreq, const at::Tensor& positions, double scale, at::ScalarType dtype);

// x: [B, heads, T, rotary dim]. interleaved: pairs (0,1), (2,3), ... rotate together.
at::Tensor applyRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, bool interleaved);

// One row of d values of applyRope's halves rotation, rounded where its tensor ops round; `out`
// does not overlap `in`.
void rotateHalves(const float* in, const float* cos, const float* sin, float* out, int64_t d);
void rotateHalves(const c10::BFloat16* in, const c10::BFloat16* cos, const c10::BFloat16* sin, c10::BFloat16* out,
                  int64_t d);

} // namespace thinkbench::core
