#pragma once
// The steps of the fused MoE routing kernels (moe_router.cu, token_permutation.cu), written once
// for device and host: a CUDA thread runs one step, and the CPU tests run the very same steps in
// loops and check them against the ATen reference (core/model/moe_routing.cpp), so the kernels'
// logic is tested on machines without a GPU. Plain C++: no torch, no CUDA headers.

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define THINKBENCH_HOST_DEVICE __host__ __device__
#else
#define THINKBENCH_HOST_DEVICE
#endif

namespace thinkbench::core::cuda {

constexpr int kMaxTopK = 16;
constexpr int kMaxGroups = 64;

// DeepSeek-V3's router settings (config.json names in comments).
struct RouterParams {
    int32_t experts = 0;    // n_routed_experts
    int32_t topK = 0;       // num_experts_per_tok, at most kMaxTopK
    int32_t groups = 1;     // n_group, divides experts, at most kMaxGroups
    int32_t keptGroups = 1; // topk_group
    bool softmax = false;   // scoring_func softmax (over all experts), else sigmoid
    bool normalize = true;  // norm_topk_prob
    float scale = 1.0f;     // routed_scaling_factor
};

// Inserts (value, index) into a list of at most `capacity` pairs kept sorted by value descending;
// an equal value goes after those already there, so the lower index wins ties.
THINKBENCH_HOST_DEVICE inline void insertTop(float value, int32_t index, float* values, int32_t* indices, int32_t& size,
                                             int32_t capacity)
{
    if (size == capacity && !(value > values[capacity - 1]))
        return;
    int32_t at = size < capacity ? size++ : capacity - 1;
    while (at > 0 && value > values[at - 1]) {
        values[at] = values[at - 1];
        indices[at] = indices[at - 1];
        --at;
    }
    values[at] = value;
    indices[at] = index;
}

// One token: scores from the router logits (sigmoid, or softmax over the experts), selection on
// score + bias limited to the best `keptGroups` groups (a group ranked by the sum of its two best
// biased scores; experts of other groups count as 0, as in Hugging Face), the top-K experts in
// descending order of selection value, and their weights from the unbiased scores, renormalised
// and scaled.
THINKBENCH_HOST_DEVICE inline void routeToken(const float* logits, const float* bias, const RouterParams& p,
                                              int64_t* experts, float* weights)
{
    float maxLogit = -INFINITY, sum = 0.0f;
    if (p.softmax) {
        for (int32_t e = 0; e < p.experts; ++e)
            maxLogit = fmaxf(maxLogit, logits[e]);
        for (int32_t e = 0; e < p.experts; ++e)
            sum += expf(logits[e] - maxLogit);
    }
    auto score = [&](int32_t e) {
        return p.softmax ? expf(logits[e] - maxLogit) / sum : 1.0f / (1.0f + expf(-logits[e]));
    };

    const int32_t perGroup = p.experts / p.groups;
    bool kept[kMaxGroups];
    for (int32_t g = 0; g < p.groups; ++g)
        kept[g] = p.groups == 1;
    if (p.groups > 1) {
        float groupValue[kMaxGroups];
        int32_t groupIndex[kMaxGroups], rankedGroups = 0;
        for (int32_t g = 0; g < p.groups; ++g) {
            float best[2];
            int32_t bestIndex[2], size = 0;
            const int32_t counted = perGroup < 2 ? perGroup : 2;
            for (int32_t e = g * perGroup; e < (g + 1) * perGroup; ++e)
                insertTop(score(e) + bias[e], e, best, bestIndex, size, counted);
            float total = 0.0f;
            for (int32_t i = 0; i < size; ++i)
                total += best[i];
            insertTop(total, g, groupValue, groupIndex, rankedGroups, p.keptGroups);
        }
        for (int32_t i = 0; i < rankedGroups; ++i)
            kept[groupIndex[i]] = true;
    }

    float chosenValue[kMaxTopK];
    int32_t chosen[kMaxTopK], size = 0;
    for (int32_t e = 0; e < p.experts; ++e)
        insertTop(kept[e / perGroup] ? score(e) + bias[e] : 0.0f, e, chosenValue, chosen, size, p.topK);

    float total = 0.0f;
    for (int32_t k = 0; k < p.topK; ++k) {
        weights[k] = score(chosen[k]);
        total += weights[k];
    }
    for (int32_t k = 0; k < p.topK; ++k) {
        experts[k] = chosen[k];
        weights[k] = (p.normalize ? weights[k] / (total + 1e-20f) : weights[k]) * p.scale;
    }
}

// The token permutation puts the N·K routing slots (slot = token·K + k) in order of expert,
// stable within an expert, so each expert's tokens are one contiguous block for a grouped GEMM.
// The slots are cut into chunks; three steps, each parallel over chunks or experts:
//   1. countChunk    (per chunk):  how many slots of the chunk go to each expert;
//   2. placeExpert   (per expert): where the expert's block starts, and where each chunk's part
//                                  of it starts;
//   3. scatterChunk  (per chunk):  each slot to its place, in slot order.
constexpr int64_t kPermutationChunk = 256;

THINKBENCH_HOST_DEVICE inline int64_t chunkCount(int64_t slotCount)
{
    return (slotCount + kPermutationChunk - 1) / kPermutationChunk;
}

// counts: the chunk's row of [chunks, experts], zeroed before.
THINKBENCH_HOST_DEVICE inline void countChunk(const int64_t* experts, int64_t slotCount, int64_t chunk,
                                              int32_t numExperts, int32_t* counts)
{
    const int64_t end = (chunk + 1) * kPermutationChunk < slotCount ? (chunk + 1) * kPermutationChunk : slotCount;
    for (int64_t s = chunk * kPermutationChunk; s < end; ++s)
        ++counts[chunk * numExperts + experts[s]];
}

// expertCounts [experts] receives each expert's total; starts [chunks, experts] each chunk's first
// place in the order.
THINKBENCH_HOST_DEVICE inline void placeExpert(const int32_t* counts, int64_t chunks, int32_t numExperts,
                                               int32_t expert, int64_t* expertCounts, int64_t* starts)
{
    int64_t begin = 0;
    for (int32_t e = 0; e < expert; ++e)
        for (int64_t c = 0; c < chunks; ++c)
            begin += counts[c * numExperts + e];
    int64_t total = 0;
    for (int64_t c = 0; c < chunks; ++c) {
        starts[c * numExperts + expert] = begin + total;
        total += counts[c * numExperts + expert];
    }
    expertCounts[expert] = total;
}

// order [slots]: the slot at each place.
THINKBENCH_HOST_DEVICE inline void scatterChunk(const int64_t* experts, int64_t slotCount, int64_t chunk,
                                                int32_t numExperts, int64_t* starts, int64_t* order)
{
    const int64_t end = (chunk + 1) * kPermutationChunk < slotCount ? (chunk + 1) * kPermutationChunk : slotCount;
    for (int64_t s = chunk * kPermutationChunk; s < end; ++s)
        order[starts[chunk * numExperts + experts[s]]++] = s;
}

} // namespace thinkbench::core::cuda
