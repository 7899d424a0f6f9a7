#pragma once
// One model file timed as the side-by-side benchmark times llama.cpp: the prefill of a long prompt
// and batch-1 greedy decode after a short one, through the Generator the CLI and Chat use, and the
// process's peak resident set.

#include <cstdint>
#include <string>
#include <vector>

namespace thinkbench::bench {

struct TimingOptions {
    std::string dtype = "f32"; // as the CLI's --dtype
    int threads = 2;
    int promptTokens = 64;
    int decodeTokens = 128;
    int prefillTokens = 512;
};

struct Timing {
    double loadSeconds = 0;
    double prefillTokensPerSecond = 0;
    double decodeTokensPerSecond = 0; // forward passes of one token per second
    size_t peakResidentBytes = 0;     // VmHWM after both runs
    size_t startResidentBytes = 0;    // VmHWM before the load: the program and its libraries
};

// The fixed prompts both engines are given: n ids spread over the vocabulary, a different spread
// for each `variant`.
std::vector<int32_t> benchPrompt(int n, int variant = 0);

Timing timeModel(const std::string& path, const TimingOptions& options);

// Greedy completions of benchPrompt(promptTokens, v) for v below `prompts`: `count` ids each
// (random weights soon repeat one token, so one prompt checks little).
std::vector<std::vector<int32_t>> greedyIds(const std::string& path, const TimingOptions& options, int count,
                                            int prompts);

} // namespace thinkbench::bench
