#include "inference/threads.h"

#include "core/error.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <thread>

namespace thinkbench::inference {

c10::ScalarType parseDtype(const std::string& name, const std::string& where)
{
    if (name == "f32")
        return c10::kFloat;
    if (name == "bf16")
        return c10::kBFloat16;
    if (name == "f16")
        return c10::kHalf;
    throw core::Error("", where, "unknown dtype \"" + name + "\" (f32, bf16 or f16)");
}

c10::Device parseDevice(const std::string& name, const std::string& where)
{
    if (name == "cpu" || (name == "auto" && !torch::cuda::is_available()))
        return c10::kCPU;
    if (name == "cuda" || name == "auto") {
        if (!torch::cuda::is_available())
            throw core::Error("", where, "CUDA is not available on this machine");
        return c10::Device(c10::kCUDA, 0);
    }
    throw core::Error("", where, "unknown device \"" + name + "\" (cpu, cuda or auto)");
}

void configureCpuThreads(c10::Device device, int threads)
{
    if (!device.is_cpu())
        return;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads > 0 ? threads : cores);
}

} // namespace thinkbench::inference
