#pragma once
// Where a run stands, in run-N/state.json beside its checkpoints: the stage and step to continue
// from, the run-wide step count and the latest checkpoint. Written after every checkpoint and
// stage end (atomically: a kill never leaves half a file), read by `train --resume`.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace thinkbench::training {

struct ResumeState {
    int stageIndex = 0;
    int64_t stageStep = 0;  // steps of that stage already done
    int64_t globalStep = 0; // training steps completed in the run
    bool done = false;      // the stage finished: continue with the next one
    std::string checkpoint; // the latest checkpoint folder; empty: none yet

    // Where a resumed run starts: the next stage when this one is done.
    int nextStage() const { return done ? stageIndex + 1 : stageIndex; }
    int64_t nextStep() const { return done ? 0 : stageStep; }
};

void writeResumeState(const std::filesystem::path& path, const ResumeState& state);
// nullopt when the file does not exist; throws core::Error naming the file when it is malformed.
std::optional<ResumeState> readResumeState(const std::filesystem::path& path);

} // namespace thinkbench::training
