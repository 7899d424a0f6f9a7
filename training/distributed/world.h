#pragma once
// Which rank this process is, of how many, and where rank 0's store listens: the torchrun
// conventions, so torchrun-style scripts, Slurm and mpirun wrappers launch ThinkBench as they are.

#include <cstdlib>
#include <functional>
#include <string>

namespace thinkbench::training {

struct World {
    int rank = 0;
    int size = 1;
    int localRank = 0; // the rank among those on this host: its GPU
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;

    bool distributed() const { return size > 1; }
};

using Environment = std::function<const char*(const char*)>;

// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; one process when WORLD_SIZE is unset
// or 1. A missing or malformed variable is a core::Error naming it.
World worldFromEnvironment(const Environment& getenv = [](const char* name) { return std::getenv(name); });

} // namespace thinkbench::training
