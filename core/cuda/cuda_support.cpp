#include "core/cuda/cuda_support.h"

#include "core/cuda/cuda_plugin.h"
#include "core/error.h"

#include <torch/cuda.h>

#include <dlfcn.h>

namespace thinkbench::core {

namespace {

#ifdef THINKBENCH_CUDA_PLUGIN
constexpr const char* kPluginPath = THINKBENCH_CUDA_PLUGIN;
#else
constexpr const char* kPluginPath = "libthinkbench_cuda.so";
#endif

struct LoadedPlugin {
    const cuda::CudaPlugin* plugin = nullptr;
    std::string error;
};

const LoadedPlugin& loadedPlugin()
{
    static const LoadedPlugin loaded = [] {
        LoadedPlugin l;
#ifndef THINKBENCH_CUDA_PLUGIN
        l.error = "this build has no CUDA support (its LibTorch is CPU-only)";
#else
        // Global, as Python's torch loads its CUDA half: the registrations libtorch_cuda makes when
        // it loads (CUDA kernels, allocator, hooks) then serve every caller in the process.
        void* handle = dlopen(kPluginPath, RTLD_NOW | RTLD_GLOBAL);
        if (!handle) {
            l.error = dlerror();
            return l;
        }
        auto entry = reinterpret_cast<cuda::PluginEntry>(dlsym(handle, cuda::kPluginEntry));
        if (!entry) {
            l.error = std::string("no ") + cuda::kPluginEntry + " in it";
            return l;
        }
        l.plugin = entry();
#endif
        return l;
    }();
    return loaded;
}

} // namespace

const cuda::CudaPlugin& cudaPlugin()
{
    const LoadedPlugin& loaded = loadedPlugin();
    if (!loaded.plugin)
        throw Error(kPluginPath, "loading CUDA support", loaded.error);
    return *loaded.plugin;
}

const CudaStatus& cudaStatus()
{
    static const CudaStatus status = []() -> CudaStatus {
        // No driver, no GPU to find: answered without loading the CUDA libraries.
        void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
        if (!driver)
            return {false, "no NVIDIA driver (libcuda.so.1) on this machine"};
        dlclose(driver);
        const LoadedPlugin& loaded = loadedPlugin();
        if (!loaded.plugin)
            return {false, std::string("CUDA support did not load: ") + kPluginPath + ": " + loaded.error};
        if (!torch::cuda::is_available())
            return {false, "the NVIDIA driver finds no GPU"};
        return {true, {}};
    }();
    return status;
}

} // namespace thinkbench::core
