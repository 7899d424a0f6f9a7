#pragma once
// What every stage of the pipeline runs on: the run's model, tokenizer and chat template, the task
// mix, the run store, the random streams, progress events, checkpoints and the stop flag. The
// stages (training/stages/) hold the algorithms; this holds what they share, so each stage file
// reads as its algorithm and nothing else.

#include "core/model/transformer.h"
#include "core/random_stream.h"
#include "core/recipe/recipe.h"
#include "core/tasks/task_mix.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/eval.h"
#include "training/optimizer.h"
#include "training/pipeline.h"
#include "training/sft_dataset.h"
#include "training/token_batch.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace thinkbench::core {
class RunStore;
struct SampleRecord;
} // namespace thinkbench::core

namespace thinkbench::training {

// What a step's random stream is for: each purpose draws from its own stream of (seed, stage, step).
enum class StreamPurpose : uint64_t { PretrainWindows = 1, SftOrder = 2, GrpoPrompts = 3 };

using Metrics = std::map<std::string, double>;

// Seconds on a clock that never jumps, for the step timings.
double monotonicSeconds();

struct StageContext {
    StageContext(const core::Recipe& recipe, core::RunStore& store, const PipelineOptions& options);

    const core::Recipe& recipe;
    core::RunStore& store;
    const PipelineOptions& options;
    int64_t run = 0;
    std::filesystem::path runDir;
    at::ScalarType dtype = at::kFloat;
    at::Device device = at::kCPU;
    std::optional<core::Tokenizer> tokenizer;
    core::ChatTemplate chat{core::ChatTemplate::Family::R1Zero};
    std::unique_ptr<core::Transformer> model;
    int32_t eos = 0;
    core::TaskMix mix;
    int64_t globalStep = 0;      // training steps completed in the run
    std::string checkpoint;      // the latest checkpoint folder
    std::string resumeOptimizer; // optimizer state the next stage to start picks up

    mutable double lastStopPoll = -1e300; // monotonic time the store was last asked for a stop
    mutable bool storeStop = false;       // a stop request was found there

    // The run's tokenizer (saved in the run folder, else the recipe's, else one trained on the task
    // mix), its chat template, and the model (a checkpoint, the recipe's folder or a new one).
    void prepare(bool fromCheckpoint);

    // The step the latest training step was stamped with, which checkpoints, evaluations and
    // stages without steps of their own are stamped with too.
    int64_t completedStep() const { return std::max<int64_t>(0, globalStep - 1); }

    // ---- progress -----------------------------------------------------------------------
    void emit(nlohmann::json event) const;
    // The stop flag (a signal), or a stop request in the store, which is read at most once a second.
    bool stopRequested() const;
    // Whether this process writes the store and the run folder: rank 0 of a distributed run.
    bool writes() const;
    // "stages.NAME" or "stages.NAME.key": where an error in a stage's settings points.
    std::string settingPath(int index, const std::string& key = {}) const;

    // ---- randomness ---------------------------------------------------------------------
    std::mt19937_64 stream(int index, int64_t step, StreamPurpose purpose) const
    {
        return core::randomStream(recipe.seed, index, step, uint64_t(purpose));
    }
    // A seed derived from the recipe's: offset names the draw (and its position in a sequence).
    uint64_t seedAt(uint64_t offset) const { return core::splitMix(uint64_t(recipe.seed) + offset); }

    // ---- prompts and worked solutions --------------------------------------------------
    std::string promptText(const std::string& question) const;
    std::vector<int32_t> promptIds(const std::string& question) const;
    // A worked solution as the completion after the template's generation prompt.
    std::string traceResponse(const std::string& reasoning, const std::string& answer) const;
    std::vector<Example> workedExamples(const std::vector<core::Problem>& problems, uint64_t seed,
                                        const core::TraceStyle& style) const;
    // Prompts to train on: a JSONL dataset of problems ("stage:NAME" allowed), or `count` drawn
    // from the task mix.
    std::vector<core::Problem> trainingPool(const std::string& dataset, int count, uint64_t seed) const;

    // ---- models ---------------------------------------------------------------------------
    std::filesystem::path stageDir(int index) const;
    // "stage:NAME" -> that stage's folder / what; anything else is a path.
    std::filesystem::path resolveStage(const std::string& ref, const char* what) const;
    std::unique_ptr<core::Transformer> loadModel(const std::string& ref) const;
    std::unique_ptr<core::Transformer> freshModel(nlohmann::json config, uint64_t seed) const;
    // A stage with `init` starts from that model instead of the one the previous stage left.
    void startFromInit(int index);

    // ---- optimisation -----------------------------------------------------------------------
    std::map<std::string, at::Tensor> trainable();
    AdamW makeOptimizer(const core::OptimizerSettings& settings);
    // Clipping, the AdamW step and the aux-loss-free bias update; returns the gradient norm.
    double update(std::map<std::string, at::Tensor>& params, AdamW& optimizer, const core::OptimizerSettings& settings,
                  double lr, const at::Tensor& load);
    // The sequence-wise balance loss of a scored batch, or undefined when the recipe has none.
    at::Tensor balanceLoss(const Scored& scored, int64_t B, int64_t T) const;
    // Model FLOPs utilisation of `forwardPasses` forward-equivalents over `tokens` positions of
    // `context` tokens in `seconds` (a training pass is three); 0 where the peak is unknown.
    double modelFlopsUtilisation(double forwardPasses, double tokens, int64_t context, double seconds) const;

    // ---- recording ---------------------------------------------------------------------------
    // A non-finite value (a diverged step) is stored as 0: the store's values are NOT NULL.
    void writeMetrics(int index, int64_t step, const Metrics& metrics);
    // A stage without training steps stamps its metrics with the step it follows.
    void writeStageMetrics(int index, const Metrics& metrics);
    // Metrics, samples, progress, periodic checkpoints and evaluations after one step; false when
    // a stop was requested (a checkpoint has been written then).
    bool endStep(int index, int64_t stageStep, int64_t total, Metrics metrics, std::vector<core::SampleRecord> samples,
                 const AdamW& optimizer, const core::Transformer* reference);
    void saveState(int index, int64_t stageStep, bool done);
    void saveCheckpoint(int index, int64_t stageStep, bool done, const AdamW* optimizer,
                        const core::Transformer* reference);
    // Evaluates the current model on the held-out set and stores the result under `label`.
    inference::EvalSummary evaluateNow(const core::EvalSettings& settings, int index, const std::string& label);
    // Evaluations during training use the recipe's first eval stage's settings.
    core::EvalSettings firstEvalSettings() const;
};

} // namespace thinkbench::training
