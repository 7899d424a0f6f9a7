#include "inference/sampling.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace thinkbench::inference {

namespace {

// The largest logit, its first index and log sum_i exp((l_i - top) / T), in one pass over the row on
// the threads (argmax and the exponentials one element at a time on the calling thread were ~3% of a
// 0.5B decode step). The row is cut into blocks of a fixed size, each reduced to its maximum and
// sum_i exp((l_i - blockMax) / T) with torch's vectorized exp, and the blocks combined in order: the
// result does not depend on the thread count.
struct RowSummary {
    int64_t best = 0;
    float top = 0.0f;
    double logSum = 0.0;
};

template <typename T> RowSummary summarize(const T* logits, int64_t V, float temperature)
{
    constexpr int64_t kBlock = 8192;
    const int64_t blocks = (V + kBlock - 1) / kBlock;
    struct Block {
        int64_t best;
        float top;
        double sum;
    };
    std::vector<Block> partial(static_cast<size_t>(blocks));
    at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
        thread_local std::vector<float> scaled(kBlock);
        for (int64_t block = begin; block < end; ++block) {
            const int64_t first = block * kBlock, count = std::min(kBlock, V - first);
            const T* l = logits + first;
            int64_t best = 0;
            for (int64_t i = 1; i < count; ++i)
                if (static_cast<float>(l[i]) > static_cast<float>(l[best]))
                    best = i;
            const float top = static_cast<float>(l[best]);
            for (int64_t i = 0; i < count; ++i)
                scaled[static_cast<size_t>(i)] = (static_cast<float>(l[i]) - top) / temperature;
            at::from_blob(scaled.data(), {count}, at::kFloat).exp_();
            constexpr int kLanes = 8; // independent sums, so the adds do not wait on each other
            double lanes[kLanes] = {};
            int64_t i = 0;
            for (; i + kLanes <= count; i += kLanes)
                for (int lane = 0; lane < kLanes; ++lane)
                    lanes[lane] += scaled[static_cast<size_t>(i + lane)];
            for (; i < count; ++i)
                lanes[0] += scaled[static_cast<size_t>(i)];
            double sum = 0;
            for (double lane : lanes)
                sum += lane;
            partial[static_cast<size_t>(block)] = {first + best, top, sum};
        }
    });
    RowSummary row{partial[0].best, partial[0].top, 0.0};
    for (const Block& b : partial)
        if (b.top > row.top)
            row = {b.best, b.top, 0.0};
    double total = 0;
    for (const Block& b : partial)
        total += b.sum * std::exp((static_cast<double>(b.top) - row.top) / temperature);
    row.logSum = std::log(total);
    return row;
}

// One row of logits read in place (f32, or bf16 as a bf16 model gives them): a decode step allocates
// nothing vocabulary-sized. log p(i) = (l_i - max) / T - log sum_j exp((l_j - max) / T).
template <typename T>
SampledToken sampleRow(const T* logits, int64_t V, const SamplingParams& params, std::mt19937_64& rng)
{
    const float temperature = params.greedy ? 1.0f : std::max(params.temperature, 1e-5f);
    const RowSummary row = summarize(logits, V, temperature);
    const int64_t best = row.best;
    const auto lp = [&](int64_t i) {
        return static_cast<float>((static_cast<float>(logits[i]) - row.top) / temperature - row.logSum);
    };
    if (params.greedy)
        return {static_cast<int32_t>(best), lp(best)};

    // Candidates in descending probability, cut by top-k, min-p and top-p. The index buffer is the
    // thread's own, reused from token to token.
    thread_local std::vector<int32_t> order;
    const bool truncate = params.topK > 0 || params.topP < 1.0f || params.minP > 0.0f;
    if (truncate) {
        order.resize(static_cast<size_t>(V));
        std::iota(order.begin(), order.end(), 0);
        const auto descending = [&](int32_t a, int32_t b) {
            return static_cast<float>(logits[a]) > static_cast<float>(logits[b]);
        };
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
                headMass += std::exp(lp(order[i]));
            if (massOnly && headMass >= params.topP) {
                keep = head;
                break;
            }
        }
        order.resize(keep);
        if (params.minP > 0.0f) {
            const float threshold = lp(order[0]) + std::log(params.minP);
            while (order.size() > 1 && lp(order.back()) < threshold)
                order.pop_back();
        }
        if (params.topP < 1.0f) {
            double mass = 0;
            size_t n = 0;
            while (n < order.size() && mass < params.topP)
                mass += std::exp(lp(order[n++]));
            order.resize(std::max<size_t>(n, 1));
        }
    }

    // Inverse CDF over the (renormalised) candidates with one uniform draw.
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double u = uniform(rng);
    if (truncate) {
        double total = 0;
        for (int32_t id : order)
            total += std::exp(lp(id));
        double acc = 0;
        for (int32_t id : order) {
            acc += std::exp(lp(id)) / total;
            if (u < acc)
                return {id, lp(id)};
        }
        return {order.back(), lp(order.back())};
    }
    double acc = 0;
    for (int64_t id = 0; id < V; ++id) {
        acc += std::exp(lp(id));
        if (u < acc)
            return {static_cast<int32_t>(id), lp(id)};
    }
    return {static_cast<int32_t>(best), lp(best)}; // rounding slack
}

} // namespace

SampledToken sampleToken(const at::Tensor& logits, const SamplingParams& params, std::mt19937_64& rng)
{
    const at::Tensor row = logits.scalar_type() == at::kFloat || logits.scalar_type() == at::kBFloat16
                               ? logits.contiguous()
                               : logits.to(at::kFloat).contiguous();
    if (row.scalar_type() == at::kBFloat16)
        return sampleRow(row.data_ptr<at::BFloat16>(), row.numel(), params, rng);
    return sampleRow(row.data_ptr<float>(), row.numel(), params, rng);
}

} // namespace thinkbench::inference
