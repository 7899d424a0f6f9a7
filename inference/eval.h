#pragma once
// Evaluation by the DeepSeek-R1 protocol: k samples per problem (temperature 0.6, top-p 0.95),
// pass@1 = mean correctness over the samples, cons@k = majority vote over extracted answers,
// unbiased pass@k, mean response length and format rate; per-problem results into the run store.

#include "core/tasks/task.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace thinkbench::core {
class RunStore;
class Tokenizer;
class Transformer;
} // namespace thinkbench::core

namespace thinkbench::inference {

struct EvalOptions {
    int k = 16;
    float temperature = 0.6f;
    float topP = 0.95f;
    int maxNewTokens = 256;
    uint64_t seed = 0;
    std::string chatTemplate; // empty: chosen from the tokenizer
    int problemsPerBatch = 8;
};

struct SampleOutcome {
    std::string completion;
    std::string extracted;
    bool correct = false;
    bool wellFormed = false;
    int tokens = 0;
};

struct ItemResult {
    core::Problem problem;
    std::vector<SampleOutcome> samples;
    double pass1 = 0;
    std::string consensus; // the majority answer ("" when no sample had one)
    bool consCorrect = false;
};

struct EvalSummary {
    int problems = 0;
    int k = 0;
    double pass1 = 0;      // mean over problems of per-problem pass@1
    double consAtK = 0;    // share of problems whose majority answer is correct
    double passAtK = 0;    // unbiased pass@k with n = k samples
    double meanLength = 0; // tokens per response
    double formatRate = 0;
};

struct EvalResult {
    std::vector<ItemResult> items;
    EvalSummary summary;
};

// Chen et al.'s unbiased estimator 1 - C(n-c, k) / C(n, k), as a stable product.
double passAtK(int n, int c, int k);
// The most frequent answer by equivalence; ties go to the answer seen first.
std::string majorityAnswer(const std::vector<SampleOutcome>& samples);

using EvalProgress = std::function<void(int done, int total)>;
EvalResult evaluate(const core::Transformer& model, const core::Tokenizer& tokenizer,
                    const std::vector<core::Problem>& problems, const EvalOptions& options,
                    const EvalProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

// Writes an evaluation and its items (every sample's text) to the store; returns its id.
int64_t storeEvaluation(core::RunStore& store, const EvalResult& result, const EvalOptions& options,
                        const std::string& model, const std::string& dataset, std::optional<int64_t> run = std::nullopt,
                        int stage = -1, int64_t step = -1);

} // namespace thinkbench::inference
