#pragma once
// Where a model runs: dtype and device named as in recipes and CLI flags, and CPU thread settings
// per dtype. f32 matmuls run in OpenBLAS, which keeps its own threads (one per
// core) spinning between calls; torch's intra-op threads on top of them fight for the same cores
// (bench/results/inference.md: f32 decode 2.8 tok/s with both, 9.0 with torch at one thread).
// bf16 and f16 run in torch's own kernels and want torch's threads.

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace thinkbench::inference {

// "f32" | "bf16" | "f16"; `where` names the flag or recipe key in the error.
c10::ScalarType parseDtype(const std::string& name, const std::string& where);
// "cpu" | "cuda" | "auto" (CUDA when present); asking for CUDA without it is an error.
c10::Device parseDevice(const std::string& name, const std::string& where);

// threads > 0 caps the threads doing the work (OpenBLAS's for f32, torch's otherwise); 0 leaves
// OpenBLAS at its own default (OPENBLAS_NUM_THREADS or one per core) and gives torch every core.
void configureCpuThreads(c10::ScalarType dtype, c10::Device device, int threads = 0);

} // namespace thinkbench::inference
