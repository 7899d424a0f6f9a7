#pragma once
// The seeded draws the task families share. Generated problems must stay the same for a seed
// (the demo's evaluations and corpora depend on them), so a change here is a change of data.

#include <random>

namespace thinkbench::core {

using Rng = std::mt19937_64;

inline int uniform(Rng& rng, int lo, int hi)
{
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}

inline bool chance(Rng& rng, double p)
{
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

} // namespace thinkbench::core
