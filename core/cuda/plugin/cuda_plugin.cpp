// The CUDA plugin's entry point: the one library of ours that links LibTorch's CUDA half
// (cuda_plugin.h says why it is loaded apart).

#include "core/cuda/cuda_plugin.h"

#include <ATen/cuda/CUDAContext.h>
#ifdef THINKBENCH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace thinkbench::core::cuda {

namespace {

int computeCapability(int device)
{
    try {
        const cudaDeviceProp* props = at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(device));
        return props->major * 10 + props->minor;
    } catch (const std::exception&) {
        return 0;
    }
}

#ifdef THINKBENCH_NCCL
c10::intrusive_ptr<c10d::Backend> ncclBackend(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size,
                                              std::chrono::milliseconds timeout)
{
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, options);
}
#endif

CudaPlugin makePlugin()
{
    CudaPlugin plugin;
#if THINKBENCH_CUDA_KERNELS
    plugin.routeTokens = routeTokensFused;
    plugin.permuteTokens = permuteTokensFused;
#endif
#ifdef THINKBENCH_NCCL
    plugin.ncclBackend = ncclBackend;
#endif
    plugin.computeCapability = computeCapability;
    return plugin;
}

} // namespace

} // namespace thinkbench::core::cuda

extern "C" __attribute__((visibility("default"))) const thinkbench::core::cuda::CudaPlugin* thinkbench_cuda_plugin()
{
    static const thinkbench::core::cuda::CudaPlugin plugin = thinkbench::core::cuda::makePlugin();
    return &plugin;
}
