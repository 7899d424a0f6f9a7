#pragma once
// CUDA on demand. The engine links LibTorch's CPU half only; LibTorch's CUDA half and our CUDA
// code live in a plugin (cuda_plugin.h) that is loaded the first time a GPU is asked for, so a
// CPU run neither waits for nor holds the CUDA libraries.

#include <string>

namespace thinkbench::core {

namespace cuda {
struct CudaPlugin;
}

struct CudaStatus {
    bool available = false;
    std::string reason; // why not, when not: no driver, no GPU, a build without CUDA, a load error
};

// Whether this process can run on a GPU. Where no NVIDIA driver is installed the answer is known
// without loading anything; elsewhere the plugin is loaded and LibTorch asked. Decided once.
// Call it before anything else asks LibTorch about CUDA (torch::manual_seed does): ATen decides
// at the first such question whether CUDA exists, for good, so a question asked before the plugin
// is loaded would leave a GPU machine without its GPU. Both main()s call it first.
const CudaStatus& cudaStatus();
inline bool cudaAvailable()
{
    return cudaStatus().available;
}

// The plugin, loaded on the first call (with or without a GPU); throws core::Error naming the
// library and the loader's message where it cannot be.
const cuda::CudaPlugin& cudaPlugin();

} // namespace thinkbench::core
