#pragma once
// How many items one chunk of an at::parallel_for over the CPU's rows takes: enough that a chunk is
// worth kGrainWork units of work (multiply-adds, elements), below which a second thread costs more
// than it saves. So a decode step's one-row loops stay on the calling thread.

#include <algorithm>
#include <cstdint>

namespace thinkbench::core {

constexpr int64_t kGrainWork = int64_t{1} << 15;

inline int64_t parallelGrain(int64_t workPerItem)
{
    return std::max<int64_t>(1, kGrainWork / std::max<int64_t>(1, workPerItem));
}

} // namespace thinkbench::core
