#include "inference/threads.h"

#include "core/cuda/cuda_support.h"
#include "core/error.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

#include <unistd.h>

namespace thinkbench::inference {

c10::ScalarType scalarType(core::DType dtype)
{
    switch (dtype) {
    case core::DType::F32:
        return c10::kFloat;
    case core::DType::BF16:
        return c10::kBFloat16;
    case core::DType::F16:
        return c10::kHalf;
    }
    return c10::kFloat;
}

c10::Device resolveDevice(core::DeviceKind kind, const std::string& where)
{
    if (kind == core::DeviceKind::Cpu || (kind == core::DeviceKind::Auto && !core::cudaAvailable()))
        return c10::kCPU;
    if (!core::cudaAvailable())
        throw core::Error("", where, "CUDA is not available: " + core::cudaStatus().reason);
    return c10::Device(c10::kCUDA, 0);
}

c10::ScalarType parseDtype(const std::string& name, const std::string& where)
{
    return scalarType(core::parseEnum<core::DType>(name, where));
}

c10::Device parseDevice(const std::string& name, const std::string& where)
{
    return resolveDevice(core::parseEnum<core::DeviceKind>(name, where), where);
}

void configureCpuThreads(c10::Device device, int threads)
{
    if (!device.is_cpu())
        return;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // The processes a launcher starts on this machine (LOCAL_WORLD_SIZE: thinkbench-cli --nproc,
    // torchrun) share its cores, or each would take them all and oversubscribe them N times.
    const char* local = std::getenv("LOCAL_WORLD_SIZE");
    const int sharing = local ? std::max(1, std::atoi(local)) : 1;
    at::set_num_threads(threads > 0 ? threads : std::max(1, cores / sharing));
}

void restartWithShortOpenMpSpin(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT"))
        return;
    setenv("GOMP_SPINCOUNT", kOpenMpSpinCount, 1);
    execv("/proc/self/exe", argv);
}

} // namespace thinkbench::inference
