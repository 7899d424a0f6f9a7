#pragma once
// What the CUDA plugin (libthinkbench_cuda.so) offers the engine. The plugin links everything that
// needs LibTorch's CUDA half: libtorch_cuda and the CUDA libraries it pulls in take ~0.25 GB of
// memory and ~0.5 s of start-up in every process that loads them, so a CPU run never does;
// cuda_support.h opens the plugin the first time a GPU is asked for.

#include "core/model/cuda/routing_kernels.h"

#include <c10/util/intrusive_ptr.h>

#include <chrono>

namespace c10d {
class Backend;
class Store;
} // namespace c10d

namespace thinkbench::core::cuda {

struct CudaPlugin {
    // The fused routing kernels (moe_routing.h); null where the plugin was built without nvcc.
    FusedRouting (*routeTokens)(const at::Tensor& logits, const at::Tensor& selectionBias,
                                const RouterParams& params) = nullptr;
    FusedPermutation (*permuteTokens)(const at::Tensor& experts, int64_t numExperts) = nullptr;
    // A ProcessGroupNCCL; null where the plugin was built without NCCL's header.
    c10::intrusive_ptr<c10d::Backend> (*ncclBackend)(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size,
                                                     std::chrono::milliseconds timeout) = nullptr;
    // The device's compute capability as major * 10 + minor, 0 where it cannot be read.
    int (*computeCapability)(int device) = nullptr;
};

// The plugin's one exported symbol: extern "C" const CudaPlugin* thinkbench_cuda_plugin().
inline constexpr const char* kPluginEntry = "thinkbench_cuda_plugin";
using PluginEntry = const CudaPlugin* (*)();

} // namespace thinkbench::core::cuda
