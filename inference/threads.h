#pragma once
// CPU thread settings per dtype. f32 matmuls run in OpenBLAS, which keeps its own threads (one per
// core) spinning between calls; torch's intra-op threads on top of them fight for the same cores
// (bench/results/inference.md: f32 decode 2.8 tok/s with both, 9.0 with torch at one thread).
// bf16 and f16 run in torch's own kernels and want torch's threads.

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace thinkbench::inference {

void configureCpuThreads(c10::ScalarType dtype, c10::Device device);

} // namespace thinkbench::inference
