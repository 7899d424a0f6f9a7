#pragma once
// Choosing the next token: temperature, top-k, top-p, min-p or greedy, each sequence with its own
// seeded random stream, so a sequence's output does not depend on what else is in the batch.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace thinkbench::inference {

struct SamplingParams {
    float temperature = 1.0f;
    float topP = 1.0f;
    int topK = 0;      // 0: off
    float minP = 0.0f; // keep tokens with p >= minP * max p
    int maxNewTokens = 256;
    std::vector<std::string> stopStrings;
    std::vector<int32_t> eosIds; // empty: the tokenizer's and the model config's
    uint64_t seed = 0;
    bool greedy = false;
    int thinkBudget = -1; // reasoning tokens before the thought is closed; -1: no limit
};

struct SampledToken {
    int32_t id = 0;
    // log p(id) under softmax(logits / temperature) over the whole vocabulary (no top-k/p/min-p
    // truncation): what a policy-gradient step recomputes for the sampling policy. Greedy: at
    // temperature 1.
    float logprob = 0;
};

// logits: one row [vocab] on the CPU, f32 or bf16 (read in place; another dtype is converted).
SampledToken sampleToken(const at::Tensor& logits, const SamplingParams& params, std::mt19937_64& rng);

} // namespace thinkbench::inference
