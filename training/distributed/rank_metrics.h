#pragma once
// What a distributed step costs per rank, for rank 0 to store: every rank's own throughput (a slow
// rank holds the others back at each collective) and the time spent in collectives.

#include "training/distributed/process_group.h"

#include <map>
#include <string>

namespace thinkbench::training {

// Seconds this rank has spent in collectives so far; 0 for one process.
double collectiveSecondsOf(const ProcessGroup* group);

// Adds core::metric::distRankTokensPerSecond(r) for every rank r (rank r's `ownTokensPerSecond`)
// and core::metric::kDistCommSeconds: this rank's seconds in collectives since `collectiveSecondsAtStart`
// (on rank 0, which stores them, rank 0's). One all-reduce; nothing for one process.
void addRankMetrics(ProcessGroup* group, std::map<std::string, double>& metrics, double ownTokensPerSecond,
                    double collectiveSecondsAtStart);

} // namespace thinkbench::training
