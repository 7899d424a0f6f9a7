// CUDA on demand (core/cuda): a CPU process never loads LibTorch's CUDA half, and the CUDA plugin
// loads when asked, with or without a GPU. The slots run in order in one process: the first two
// check what is mapped before anything asks for the plugin, the last asks.

#include "core/cuda/cuda_plugin.h"
#include "core/cuda/cuda_support.h"

#include <torch/torch.h>

#include <QStandardPaths>
#include <QtTest>

#include <cstring>
#include <link.h>

#include <dlfcn.h>

using namespace thinkbench::core;

namespace {

// Whether a shared object whose path contains `name` is mapped into this process.
bool mapped(const char* name)
{
    struct Search {
        const char* name;
        bool found = false;
    } search{name};
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            auto* s = static_cast<Search*>(data);
            if (info->dlpi_name && std::strstr(info->dlpi_name, s->name))
                s->found = true;
            return 0;
        },
        &search);
    return search.found;
}

bool driverInstalled()
{
    void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (driver)
        dlclose(driver);
    return driver != nullptr;
}

} // namespace

class TestCudaSupport : public QObject {
    Q_OBJECT

private slots:
    void cpuWorkMapsNoCudaLibrary()
    {
        const at::Tensor a = at::randn({64, 64});
        QVERIFY(at::matmul(a, a).isfinite().all().item<bool>());
        QVERIFY(mapped("libtorch_cpu.so")); // which itself needs the CUDA runtime (for its profiler), no more
        for (const char* library : {"libtorch_cuda.so", "libc10_cuda.so", "libcublas", "libcudnn", "libnccl"})
            QVERIFY2(!mapped(library), library);
    }

    // Without a driver the answer comes without loading the CUDA libraries.
    void noDriverMeansNoGpuWithoutLoading()
    {
        if (driverInstalled())
            QSKIP("an NVIDIA driver is installed here: asking loads the plugin");
        QVERIFY(!cudaAvailable());
        QVERIFY2(cudaStatus().reason.find("libcuda.so.1") != std::string::npos, cudaStatus().reason.c_str());
        QVERIFY(!mapped("libtorch_cuda.so"));
    }

    void pluginLoadsWhenAsked()
    {
        if (QStandardPaths::findExecutable("nvcc").isEmpty())
            QSKIP("no nvcc: this machine's build may have a CPU-only LibTorch and no plugin");
        const cuda::CudaPlugin& plugin = cudaPlugin(); // throws, naming the library, where it does not load
        QVERIFY(mapped("libthinkbench_cuda.so"));
        QVERIFY(mapped("libtorch_cuda.so"));
        QVERIFY(plugin.computeCapability);
        QVERIFY(plugin.routeTokens && plugin.permuteTokens);
        // LibTorch's CUDA half agrees with the status the process already reported.
        QCOMPARE(torch::cuda::is_available(), cudaAvailable());
        if (!driverInstalled())
            QCOMPARE(plugin.computeCapability(0), 0); // no device: 0, not an exception
    }
};

QTEST_GUILESS_MAIN(TestCudaSupport)
#include "tst_cuda_support.moc"
