#pragma once
// Token batches for training: sequences right-padded into one tensor with a mask of the targets
// trained on, and their scoring (each next token's log-prob and, when asked, the entropy of the
// policy there).

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace thinkbench::core {
class Transformer;
struct ExpertReplay;
} // namespace thinkbench::core

namespace thinkbench::training {

struct Batch {
    at::Tensor ids;     // [B, T] int64
    at::Tensor mask;    // [B, T-1] float: 1 where the target token is trained on
    int64_t tokens = 0; // targets trained on
};

// Right-padded with `pad`: causal attention keeps the padding invisible to real tokens. Targets
// from position lossStart[b] on are trained (the response after a prompt).
Batch makeBatch(const std::vector<std::vector<int32_t>>& seqs, const std::vector<size_t>& lossStart, int32_t pad,
                c10::Device device);

struct Scored {
    at::Tensor logprobs;         // [B, T-1] of each next token
    at::Tensor entropy;          // [B, T-1]; only when asked for, with gradient only when asked for
    at::Tensor samplingLogprobs; // [B, T-1], detached, at samplingTemperature; only when asked for
    at::Tensor expertLoad;
    std::vector<at::Tensor> routerScores;
    std::vector<at::Tensor> routedExperts; // ForwardOutput::routedExperts
};

struct ScoreOptions {
    bool entropy = false;
    // The entropy's gradient keeps the [B, T-1, vocab] probabilities alive through the backward
    // pass, so it is only taken for an entropy bonus.
    bool entropyGradient = false;
    // > 0: also the log-probs the generator computes at this temperature (SampledToken::logprob),
    // from the same forward.
    double samplingTemperature = 0;
    const core::ExpertReplay* replay = nullptr; // the sampler's experts (ForwardOptions::replay)
};

Scored scoreTokens(const core::Transformer& model, const at::Tensor& ids, const ScoreOptions& options = {});

// Mean of `values` where mask is 1 (0 for an empty mask).
double maskedMean(const at::Tensor& values, const at::Tensor& mask);

} // namespace thinkbench::training
