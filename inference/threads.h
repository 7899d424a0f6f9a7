#pragma once
// Where a model runs: dtype and device named as in recipes and CLI flags, and the CPU threads.
// The torch wheel's BLAS (MKL) and its own kernels share one OpenMP pool, so one setting covers
// every dtype.

#include "core/compute_target.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace thinkbench::inference {

c10::ScalarType scalarType(core::DType dtype);
// Auto is CUDA when present; asking for CUDA without it is an error naming `where`.
c10::Device resolveDevice(core::DeviceKind kind, const std::string& where);

// CLI flags: "f32" | "bf16" | "f16" and "cpu" | "cuda" | "auto"; `where` names the flag.
c10::ScalarType parseDtype(const std::string& name, const std::string& where);
c10::Device parseDevice(const std::string& name, const std::string& where);

// threads > 0 caps torch's intra-op threads on the CPU; 0 gives it every core.
void configureCpuThreads(c10::Device device, int threads = 0);

// OpenMP threads that spin while they wait take the cores the work needs wherever cores are shared
// (the GUI beside a model, other programs): on a busy 2-core machine 2-thread decode ran 2.3x and
// prefill 4-10x slower spinning than sleeping. libgomp reads its wait policy once, as it loads, so
// main() calls this first: without OMP_WAIT_POLICY in the environment it sets PASSIVE and starts
// the program again (execv of /proc/self/exe with the same arguments). Returns when the policy was
// already set, or when the restart cannot happen (the program then runs with spinning threads).
void restartWithPassiveOpenMpWaits(char** argv);

} // namespace thinkbench::inference
