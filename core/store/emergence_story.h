#pragma once
// The emergence story of one GRPO stage (R1-Zero's "aha moment"): held-out pass@1 with its
// standard error, mean response length and the share of responses with reflection markers on the
// stage's steps, and traces from early and late in the stage to set side by side. Read from the
// run store with no Qt, so any front end (the GUI's emergence view, a report) tells it the same way.

#include "core/store/run_store.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace thinkbench::core {

struct Pass1Point {
    int64_t step = 0;
    double value = 0;
    double error = 0; // its standard error; 0 where none was stored beside it
};

struct EmergenceStory {
    StageInfo stage;
    std::vector<Pass1Point> pass1; // heldout/pass1 during the stage
    // eval/pass1 of the eval stage just before the stage, when it evaluated the model the stage
    // starts from, and of the one just after it (which evaluates the stage's model): the stage's
    // start and end, on the eval stages' problems, which need not be the held-out ones.
    std::vector<Pass1Point> evalStages;
    std::vector<SeriesPoint> length;     // length/mean, tokens
    std::vector<SeriesPoint> reflection; // reflection_rate, a share in [0, 1]
    // Samples of the stage's first stored steps, earliest first, and of its last stored steps,
    // best first: correct with a reflection marker, then correct, then reflecting, then the
    // rest, later steps first within each.
    std::vector<SampleRecord> early;
    std::vector<SampleRecord> late;
};

// The GRPO stages of a run's stages, in order.
std::vector<StageInfo> grpoStages(const std::vector<StageInfo>& stages);
// The GRPO stage with the most steps (the first of equals); none when the run has no GRPO stage.
std::optional<StageInfo> longestGrpoStage(const std::vector<StageInfo>& stages);

// What stage `index` starts from: its init ("stage:NAME" or a folder), else what the stage
// before left: "stage:NAME" after a stage that trains, what an eval or rejection-sampling stage
// started from, and "" (a fresh model) at the first stage. Throws core::Error naming `file` when
// a stage's config is not a JSON object.
std::string startingModel(const std::vector<StageInfo>& stages, size_t index, const std::string& file);

// How many of a stage's sampled steps count as early, and as late: a tenth, at least one.
int storySampleSteps(size_t sampledSteps);

// How a series moved over the stage: the mean of its first tenth of points and of its last tenth
// (at least one each), steadier than its two ends. None for an empty series.
struct SeriesChange {
    double from = 0;
    double to = 0;
};
std::optional<SeriesChange> seriesChange(const std::vector<SeriesPoint>& series);

// Reads the story of stage `stageIndex` of `run`. Throws core::Error naming the database when the
// run has no such stage or it is not a GRPO stage.
EmergenceStory readEmergenceStory(const RunStore& store, int64_t run, int stageIndex);

} // namespace thinkbench::core
