#pragma once
// Where a model runs: dtype and device named as in recipes and CLI flags, and the CPU threads.
// The torch wheel's BLAS (MKL) and its own kernels share one OpenMP pool, so one setting covers
// every dtype.

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace thinkbench::inference {

// "f32" | "bf16" | "f16"; `where` names the flag or recipe key in the error.
c10::ScalarType parseDtype(const std::string& name, const std::string& where);
// "cpu" | "cuda" | "auto" (CUDA when present); asking for CUDA without it is an error.
c10::Device parseDevice(const std::string& name, const std::string& where);

// threads > 0 caps torch's intra-op threads on the CPU; 0 gives it every core.
void configureCpuThreads(c10::Device device, int threads = 0);

} // namespace thinkbench::inference
