#pragma once
// Where a run stands, read from the run store alone, so a run started anywhere (the CLI, another
// machine writing the same file) shows its stage, its progress and the time its stage has left:
// the stage's step count comes from its stored settings, the pace from the wall times of its
// latest metric rows.

#include "core/store/run_store.h"

#include <optional>
#include <string>

namespace thinkbench::core {

struct RunProgress {
    std::string status;               // the run's: created | running | finished | failed | stopped
    int stageCount = 0;               // stages of its recipe; 0 when the stored recipe does not parse
    std::string recipeError;          // why it does not
    std::optional<StageInfo> stage;   // the latest stage begun; empty before the first
    int64_t stageStep = 0;            // training steps the stage has written
    int64_t stageTotal = 0;           // its steps by its settings; 0 where they fix no count (eval, epochs)
    double secondsPerStep = 0;        // the median over its last steps; 0 before two steps
    double lastWrite = 0;             // wall time of its latest step, else the stage's start
    std::optional<double> etaSeconds; // until the stage ends: only while running at a known pace
    bool stalled = false;             // running, but nothing written for much longer than a step takes
    bool stopRequested = false;       // a stop request waits in the store
};

// A running run that wrote nothing for this long, or for ten steps' time where steps are slower,
// counts as stalled (its process was killed, or hangs).
inline constexpr double kStallSeconds = 600;

// Throws core::Error naming the database when there is no such run.
RunProgress runProgress(const RunStore& store, int64_t run, double now = nowSeconds());

} // namespace thinkbench::core
