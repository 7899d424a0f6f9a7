#pragma once
// A device's peak dense FLOP/s, the denominator of model FLOPs utilisation (MFU) as nanoGPT and
// PaLM report it. On the CPU: the cores torch uses x the highest clock x the FLOPs one core's FMA
// units retire per cycle at f32 (AVX-512: 64, AVX2: 32, otherwise 8). On CUDA: the tensor-core
// peak of known data-centre parts (bf16/f16; TF32 for f32), 0 for others.

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace thinkbench::inference {

// 0 when unknown: callers then leave MFU out rather than report a guess.
double peakFlopsPerSecond(c10::Device device, c10::ScalarType dtype);

} // namespace thinkbench::inference
