#include "inference/peak_flops.h"

#include "core/cuda/cuda_plugin.h"
#include "core/cuda/cuda_support.h"

#include <ATen/Parallel.h>

#include <fstream>
#include <sstream>
#include <string>

namespace thinkbench::inference {

namespace {

// The first "flags" line of /proc/cpuinfo and the highest clock the kernel reports, in Hz.
struct CpuInfo {
    std::string flags;
    double hertz = 0;
};

CpuInfo readCpuInfo()
{
    CpuInfo info;
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (info.flags.empty() && line.rfind("flags", 0) == 0)
            info.flags = " " + line.substr(line.find(':') + 1) + " ";
        if (line.rfind("cpu MHz", 0) == 0)
            info.hertz = std::max(info.hertz, std::stod(line.substr(line.find(':') + 1)) * 1e6);
    }
    std::ifstream maxFreq("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    double kilohertz = 0;
    if (maxFreq >> kilohertz && kilohertz > 0)
        info.hertz = kilohertz * 1e3;
    return info;
}

double cpuPeak()
{
    static const CpuInfo info = readCpuInfo();
    const auto has = [](const std::string& flag) { return info.flags.find(" " + flag + " ") != std::string::npos; };
    const double flopsPerCycle = has("avx512f") ? 64 : has("avx2") && has("fma") ? 32 : 8;
    return double(at::get_num_threads()) * info.hertz * flopsPerCycle;
}

// A CUDA device means the CUDA plugin is loaded.
double cudaPeak(c10::Device device, c10::ScalarType dtype)
{
    const int capability = core::cudaPlugin().computeCapability(device.has_index() ? device.index() : 0);
    const bool halfPrecision = dtype == c10::kBFloat16 || dtype == c10::kHalf;
    if (capability == 90) // H100 / H200 SXM, dense
        return halfPrecision ? 989.4e12 : 494.7e12;
    if (capability == 80) // A100
        return halfPrecision ? 312e12 : 156e12;
    return 0;
}

} // namespace

double peakFlopsPerSecond(c10::Device device, c10::ScalarType dtype)
{
    if (device.is_cpu())
        return cpuPeak();
    if (device.is_cuda())
        return cudaPeak(device, dtype);
    return 0;
}

} // namespace thinkbench::inference
