#pragma once
// Evaluation by the DeepSeek-R1 protocol: k samples per problem (temperature 0.6, top-p 0.95),
// pass@1 = mean correctness over the samples, cons@k = majority vote over extracted answers,
// unbiased pass@k, mean response length and format rate; per-problem results into the run store.
//
// Error bars: pass@1 comes with its standard error over problems, so that two checkpoints a few
// points apart can be told apart from noise (the mean ± std reporting of Hochlehnert et al. 2025,
// "A Sober Look at Progress in LM Reasoning", and of Bayes@N; Miller 2024, "Adding Error Bars to
// Evals", for the per-problem clustering).

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

class ChatModel;

struct EvalOptions {
    int k = 16;
    float temperature = 0.6f;
    float topP = 0.95f;
    int maxNewTokens = 256;
    uint64_t seed = 0;
    std::string chatTemplate; // empty: chosen from the tokenizer (the Transformer overload only)
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
    double pass1 = 0;       // mean over problems of per-problem pass@1
    double pass1Stderr = 0; // its standard error over problems (pass1Stderr below)
    double consAtK = 0;     // share of problems whose majority answer is correct
    // Chen et al.'s unbiased pass@k at k = n, where it is "any sample correct"; a smaller k would
    // be passAtK(n, c, k) per problem, left out because nothing reads it yet.
    double passAtK = 0;
    double meanLength = 0; // tokens per response
    double formatRate = 0;
};

struct EvalResult {
    std::vector<ItemResult> items;
    EvalSummary summary;
};

// Chen et al.'s unbiased estimator 1 - C(n-c, k) / C(n, k), as a stable product.
double passAtK(int n, int c, int k);
// Standard error of pass@1 = mean_i p_i, where p_i is problem i's fraction correct of its samples:
// SE = s / sqrt(n), s^2 = sum_i (p_i - mean)^2 / (n - 1) over the n problems. The spread of p_i
// holds both the problems' difficulty and the sampling noise within each problem, so this is the
// clustered standard error over problems and samples. 0 for fewer than two problems.
double pass1Stderr(const std::vector<double>& perProblemPass1);
// The summary of per-problem results (each item's pass1 and consCorrect already set).
EvalSummary summarize(const std::vector<ItemResult>& items, int k);
// The most frequent answer by equivalence; ties go to the answer seen first.
std::string majorityAnswer(const std::vector<SampleOutcome>& samples);

using EvalProgress = std::function<void(int done, int total)>;
// Local or remote alike: k samples of each problem as one user turn, problem i seeded seed + i.
EvalResult evaluate(ChatModel& model, const std::vector<core::Problem>& problems, const EvalOptions& options,
                    const EvalProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);
// A model and tokenizer in memory, with options.chatTemplate or the tokenizer's.
EvalResult evaluate(const core::Transformer& model, const core::Tokenizer& tokenizer,
                    const std::vector<core::Problem>& problems, const EvalOptions& options,
                    const EvalProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

// Writes an evaluation and its items (every sample's text) to the store; returns its id.
int64_t storeEvaluation(core::RunStore& store, const EvalResult& result, const EvalOptions& options,
                        const std::string& model, const std::string& dataset, std::optional<int64_t> run = std::nullopt,
                        int stage = -1, int64_t step = -1);

} // namespace thinkbench::inference
