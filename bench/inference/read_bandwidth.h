#pragma once
// The read half of the memory roofline: decode streams its weights and writes next to nothing, so
// its ceiling is how fast the cores can read memory, not copy it.

#include <cstddef>

namespace thinkbench::bench {

// Bytes per second summed by `threads` threads, each reading its own slice of one `bytes`-long
// buffer (best of `rounds`). hugePages: the buffer asks for transparent huge pages (fewer TLB
// misses; on the development VM 1.5x the 4 KiB-page figure), the ceiling for weights in anonymous
// memory; a model mapped from a file reads through 4 KiB pages.
double readBandwidth(int threads, bool hugePages, size_t bytes = size_t(1) << 30, int rounds = 5);

} // namespace thinkbench::bench
