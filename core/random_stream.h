#pragma once
// Reproducible randomness: every random choice is drawn from a stream named by what it is for,
// never from a generator carried along, so a resumed run replays what the uninterrupted run did.

#include <cstdint>
#include <random>

namespace thinkbench::core {

// SplitMix64's finaliser: decorrelates nearby seeds (seed, seed + 1, ...).
inline uint64_t splitMix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// The stream of one purpose at one step of one stage of a run.
inline std::mt19937_64 randomStream(int64_t seed, int stage, int64_t step, uint64_t purpose)
{
    return std::mt19937_64(splitMix(splitMix(splitMix(uint64_t(seed) ^ purpose) + uint64_t(stage)) + uint64_t(step)));
}

} // namespace thinkbench::core
