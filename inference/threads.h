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

// threads > 0 caps torch's intra-op threads on the CPU; 0 gives it every core, or its share of
// them when LOCAL_WORLD_SIZE says how many processes of a launcher run on this machine.
void configureCpuThreads(c10::Device device, int threads = 0);

// How long an idle OpenMP thread spins before it sleeps (GOMP_SPINCOUNT, pause instructions).
// libgomp's default, 300,000, takes the cores the work needs wherever they are shared (the GUI
// beside a model, other programs): on a busy 2-core machine 2-thread decode ran 2.3x and prefill
// 4-10x slower than with sleeping threads. Sleeping at once (OMP_WAIT_POLICY=PASSIVE) costs a wake-up
// every parallel region instead: on the quiet machine 0.5B bf16 decode ran 13.4 tok/s sleeping,
// 15.9 with this short spin; with three busy loops beside it, the two were equal (5.2-6.0).
inline constexpr const char* kOpenMpSpinCount = "5000";

// libgomp reads its wait settings once, as it loads, so main() calls this first: with neither
// OMP_WAIT_POLICY nor GOMP_SPINCOUNT in the environment it sets GOMP_SPINCOUNT to kOpenMpSpinCount
// and starts the program again (execv of /proc/self/exe with the same arguments). Returns when
// either was already set, or when the restart cannot happen (the program then runs with libgomp's
// default).
void restartWithShortOpenMpSpin(char** argv);

} // namespace thinkbench::inference
