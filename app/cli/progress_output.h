#pragma once
// Where a long command's progress goes: a terminal gets its line redrawn in place; a log file or
// pipe (CI, `scripts/demo | tee`) gets at most one progress line per 10 s, not one per step (1,500
// lines for the demo's pretraining alone).

#include <chrono>

namespace thinkbench::cli {

struct ProgressOutput {
    static constexpr std::chrono::seconds kLineEvery{10};
    bool tty = false;
    std::chrono::steady_clock::time_point lastLine; // the last line printed to a log

    // Whether to print this update: always on a terminal, in a log once per kLineEvery.
    bool printsStep()
    {
        if (tty)
            return true;
        const auto now = std::chrono::steady_clock::now();
        if (now - lastLine < kLineEvery)
            return false;
        lastLine = now;
        return true;
    }
};

} // namespace thinkbench::cli
