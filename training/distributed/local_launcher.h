#pragma once
// `thinkbench-cli train --nproc N`: N ranks of one command on this host, each with the torchrun
// environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT). SIGINT and SIGTERM reach
// every rank; when one fails, the launcher reports it first and waits for the others, which stop
// on their own once their collectives lose it.

#include <string>
#include <vector>

namespace thinkbench::training {

struct LaunchOutcome {
    int exitCode = 0;    // 0 when every rank succeeded; else the first failed rank's status
    std::string failure; // "rank 1 (pid 4242) was killed by signal 9 (Killed)"
};

// Runs `argv` (argv[0] an executable path) as `nproc` ranks. MASTER_PORT is taken from the
// environment when set, else a free port of 127.0.0.1.
LaunchOutcome launchLocalRanks(const std::vector<std::string>& argv, int nproc);

// This process's own command line (its executable by path) without `option` and its value
// (`--nproc 2` or `--nproc=2`): what each rank runs.
std::vector<std::string> commandLineWithout(const std::string& option);

} // namespace thinkbench::training
