#include "inference/sampling.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

namespace thinkbench::inference {

SampledToken sampleToken(const at::Tensor& logits, const SamplingParams& params, std::mt19937_64& rng)
{
    const float temperature = params.greedy ? 1.0f : std::max(params.temperature, 1e-5f);
    const at::Tensor logprobs = at::log_softmax(logits.to(at::kFloat) / temperature, -1).contiguous();
    const float* lp = logprobs.data_ptr<float>();
    const int64_t V = logprobs.size(0);
    if (params.greedy) {
        const auto best = static_cast<int32_t>(std::max_element(lp, lp + V) - lp);
        return {best, lp[best]};
    }

    // Candidates in descending probability, cut by top-k, min-p and top-p.
    std::vector<int32_t> order;
    const bool truncate = params.topK > 0 || params.topP < 1.0f || params.minP > 0.0f;
    if (truncate) {
        order.resize(static_cast<size_t>(V));
        std::iota(order.begin(), order.end(), 0);
        const auto descending = [lp](int32_t a, int32_t b) { return lp[a] > lp[b]; };
        size_t keep = params.topK > 0 ? std::min<size_t>(params.topK, order.size()) : order.size();
        // Top-p alone usually stops within the first few candidates: sort a growing head and stop
        // once it holds the mass asked for, instead of sorting the whole vocabulary.
        const bool massOnly = params.topK <= 0 && params.minP <= 0.0f;
        double headMass = 0;
        for (size_t sorted = 0, head = std::min<size_t>(keep, 64); sorted < keep;
             sorted = head, head = std::min(keep, head * 8)) {
            std::partial_sort(order.begin() + static_cast<std::ptrdiff_t>(sorted),
                              order.begin() + static_cast<std::ptrdiff_t>(head), order.end(), descending);
            for (size_t i = sorted; i < head; ++i)
                headMass += std::exp(lp[order[i]]);
            if (massOnly && headMass >= params.topP) {
                keep = head;
                break;
            }
        }
        order.resize(keep);
        if (params.minP > 0.0f) {
            const float threshold = lp[order[0]] + std::log(params.minP);
            while (order.size() > 1 && lp[order.back()] < threshold)
                order.pop_back();
        }
        if (params.topP < 1.0f) {
            double mass = 0;
            size_t n = 0;
            while (n < order.size() && mass < params.topP)
                mass += std::exp(lp[order[n++]]);
            order.resize(std::max<size_t>(n, 1));
        }
    }

    // Inverse CDF over the (renormalised) candidates with one uniform draw.
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double u = uniform(rng);
    double total = 0;
    if (truncate) {
        for (int32_t id : order)
            total += std::exp(lp[id]);
        double acc = 0;
        for (int32_t id : order) {
            acc += std::exp(lp[id]) / total;
            if (u < acc)
                return {id, lp[id]};
        }
        return {order.back(), lp[order.back()]};
    }
    double acc = 0;
    for (int64_t id = 0; id < V; ++id) {
        acc += std::exp(lp[id]);
        if (u < acc)
            return {static_cast<int32_t>(id), lp[id]};
    }
    const auto last = static_cast<int32_t>(std::max_element(lp, lp + V) - lp); // rounding slack
    return {last, lp[last]};
}

} // namespace thinkbench::inference
