#include "inference/threads.h"

#include <ATen/Parallel.h>

#include <thread>

namespace thinkbench::inference {

void configureCpuThreads(c10::ScalarType dtype, c10::Device device)
{
    if (!device.is_cpu())
        return;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(dtype == c10::kFloat ? 1 : cores);
}

} // namespace thinkbench::inference
