#pragma once
// The R1 pipeline: runs a recipe's stages in order (pretrain, sft, grpo, rejection_sampling,
// distill, eval) on one model, streams every step's metrics and a few samples into the run store,
// writes Hugging Face checkpoints (plus optimizer state and a trainer_state.json) and resumes a
// stopped or killed run from its last checkpoint with the same settings and random stream.
//
// Randomness is derived from (recipe seed, stage index, step) at every step rather than carried in
// a generator, so a resumed run replays exactly what the uninterrupted run would have done.
//
// JSON-lines progress (`thinkbench-cli train --json`, read by the GUI): one object per line,
//   {"event": "stage_begin", "run", "stage", "stage_index", "kind", "total"}
//   {"event": "step", "run", "stage", "stage_index", "kind", "step" (run-wide), "stage_step"
//    (1-based within the stage), "total" (steps of the stage), "metrics": {key: value, ...}}
//   {"event": "eval", "run", "stage", "stage_index", "step", "pass1", "pass1_stderr", "cons_at_k",
//    "pass_at_k", "mean_length", "format_rate"}
//   {"event": "checkpoint", "run", "stage", "step", "path"}
//   {"event": "stage_end", "run", "stage", "stage_index", "status"}
//   {"event": "done", "run", "status"}   status: finished | stopped | failed

#include "core/recipe/recipe.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace thinkbench::core {
class RunStore;
}

namespace thinkbench::training {

class ProcessGroup;

struct PipelineOptions {
    std::string recipeFile;                             // for error messages and the stored recipe text
    std::optional<int64_t> resumeRun;                   // continue this run from its last checkpoint
    std::string runRoot;                                // checkpoints go to runRoot/run-ID; empty: next to the db
    const std::atomic<bool>* stop = nullptr;            // set (e.g. by SIGINT): checkpoint and stop
    std::function<void(const nlohmann::json&)> onEvent; // the progress objects documented above
    // One of several ranks (training/distributed): the run is rank 0's, which alone writes the
    // store and the run folder; the others train on their share of each batch.
    ProcessGroup* group = nullptr;
};

// One row of the evaluation table: an eval stage's (or a stage-end) held-out result.
struct StageEvaluation {
    int stageIndex = 0;
    std::string stage;
    int64_t step = 0;
    double pass1 = 0;
    double pass1Stderr = 0; // 0 for evaluations stored before it was recorded
    double consAtK = 0;
    double meanLength = 0;
    double formatRate = 0;
};

struct PipelineResult {
    int64_t run = 0;
    std::string status; // finished | stopped
    std::string finalCheckpoint;
    std::vector<StageEvaluation> evaluations; // every evaluation of the run, in order
};

// Runs (or resumes) a recipe. recipeText is what gets stored with a new run; a resumed run uses
// the text stored with it, so its settings cannot drift. Throws core::Error on bad input.
PipelineResult runPipeline(const std::string& recipeText, core::RunStore& store, const PipelineOptions& options);

// The evaluation table of a finished (or partial) run, as the CLI prints it.
std::string formatEvaluationTable(const std::vector<StageEvaluation>& rows);

} // namespace thinkbench::training
