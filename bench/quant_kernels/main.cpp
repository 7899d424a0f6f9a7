// The quantized CPU kernels against what LibTorch has on the CPU, one matrix at a time:
//   bench_quant_kernels [--threads 1,2] [--batch 1,512] [--reps 15] [--isa avx512bf16|avx512|avx2|portable]
// Matrices of the Qwen2.5-0.5B shape (896x896, 128x896, 4864x896, 896x4864, 151936x896) and, for the
// K-quants (whose rows must be whole 256-element blocks) and the float types, of R1-Distill-Qwen-1.5B
// (1536x1536, 256x1536, 8960x1536, 1536x8960, 151936x1536). Each method is timed once per round, the methods
// interleaved round after round (the machine is shared: a burst of someone's build hits every method
// alike), and the median reported: ms per call, GB/s of weight bytes read, and that over the read
// bandwidth the same threads measure (bench/inference/read_bandwidth, on huge pages). Batch 512 (prefill) reports
// GFLOP/s instead; the vocabulary matrix is left out there (prefill needs the last row's logits).
// At a batch above 1, the path quant::viaGemm did not choose (row kernels or GEMM) is timed beside it.
// Prints markdown table rows.

#include "core/quant/dequantized_gemm.h"
#include "core/quant/quantized_linear_isa.h"
#include "read_bandwidth.h"
#include "tests/random_blocks.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace thinkbench;
using core::GgmlType;
namespace quant = core::quant;

namespace {

struct Shape {
    int64_t rows, cols;
};

struct Method {
    std::string name;
    double weightBytes;
    std::function<at::Tensor()> call;
    std::vector<double> seconds;
};

std::vector<int> intList(const std::string& text)
{
    std::vector<int> values;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');)
        values.push_back(std::stoi(item));
    return values;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

bool fits(GgmlType type, const Shape& shape)
{
    return shape.cols % core::ggmlTypeTraits(static_cast<uint32_t>(type))->blockElements == 0;
}

// Ours for `type` and, on the 0.5B shapes, torch's weight-only int8 (per-row scale) and int4 (groups of
// 32 with a scale and zero each: Q4_K's sub-blocks exactly) matmuls and its bf16 and f32 linear.
std::vector<Method> methods(const Shape& shape, int64_t batch, quant::Isa isa, bool withTorch,
                            const std::vector<GgmlType>& types)
{
    std::vector<Method> list;
    const at::Tensor x = at::randn({batch, shape.cols});
    const at::Tensor xb = x.to(at::kBFloat16);
    for (GgmlType type : types) {
        if (!fits(type, shape))
            continue;
        const core::QuantizedMatrix w = tests::randomQuantizedMatrix(type, shape.rows, shape.cols, 1);
        const at::Tensor& input = type == GgmlType::BF16 ? xb : x;
        list.push_back({"ours " + core::ggmlTypeName(static_cast<uint32_t>(type)),
                        static_cast<double>(w.rows * w.rowBytes()),
                        [w, input, isa] { return quant::quantizedLinear(input, w, isa); },
                        {}});
        if (batch == 1)
            continue;
        // Beside the path viaGemm chose, the one it did not.
        if (quant::viaGemm(isa, type, batch))
            list.push_back({"ours " + core::ggmlTypeName(static_cast<uint32_t>(type)) + " row kernels",
                            static_cast<double>(w.rows * w.rowBytes()),
                            [w, input, isa] { return quant::quantizedLinear(input, w, isa, quant::Path::RowKernels); },
                            {}});
        else
            list.push_back({"ours " + core::ggmlTypeName(static_cast<uint32_t>(type)) + " via GEMM",
                            static_cast<double>(w.rows * w.rowBytes()),
                            [w, input] { return quant::dequantizedGemm(input, w); },
                            {}});
    }
    if (!withTorch)
        return list;
    const double elements = static_cast<double>(shape.rows * shape.cols);
    const at::Tensor w8 = at::randint(-128, 127, {shape.rows, shape.cols}, at::kChar);
    const at::Tensor s8 = at::rand({shape.rows}, at::kBFloat16);
    list.push_back({"torch _weight_int8pack_mm (bf16 x)",
                    elements + 2.0 * shape.rows,
                    [=] { return at::_weight_int8pack_mm(xb, w8, s8); },
                    {}});
    if (shape.cols % 32 == 0) {
        const at::Tensor w4 =
            at::_convert_weight_to_int4pack_for_cpu(at::randint(0, 16, {shape.rows, shape.cols}, at::kInt), 1);
        const at::Tensor sz = at::rand({shape.cols / 32, shape.rows, 2}, at::kBFloat16);
        list.push_back({"torch _weight_int4pack_mm_for_cpu g32 (bf16 x)",
                        elements / 2 + elements / 32 * 4,
                        [=] { return at::_weight_int4pack_mm_for_cpu(xb, w4, 32, sz); },
                        {}});
    }
    const at::Tensor wb = at::randn({shape.rows, shape.cols}).to(at::kBFloat16);
    list.push_back({"torch linear bf16", 2 * elements, [=] { return at::linear(xb, wb); }, {}});
    const at::Tensor wf = at::randn({shape.rows, shape.cols});
    list.push_back({"torch linear f32", 4 * elements, [=] { return at::linear(x, wf); }, {}});
    return list;
}

void run(int threads, int64_t batch, int reps, quant::Isa isa, double bandwidth)
{
    const std::vector<Shape> small = {{896, 896}, {128, 896}, {4864, 896}, {896, 4864}, {151936, 896}};
    const std::vector<Shape> large = {{1536, 1536}, {256, 1536}, {8960, 1536}, {1536, 8960}, {151936, 1536}};
    const std::vector<GgmlType> smallTypes = {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q5_0,
                                              GgmlType::F32,  GgmlType::F16,  GgmlType::BF16,
                                              GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};
    const std::vector<GgmlType> largeTypes = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16,
                                              GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};
    for (int set = 0; set < 2; ++set)
        for (const Shape& shape : set == 0 ? small : large) {
            if (batch > 1 && shape.rows == 151936)
                continue;
            std::vector<Method> list = methods(shape, batch, isa, set == 0, set == 0 ? smallTypes : largeTypes);
            for (Method& m : list) // warm: first-touch of the weights, oneDNN's kernel generation
                m.call();
            for (int rep = 0; rep < reps; ++rep)
                for (Method& m : list) {
                    const auto start = std::chrono::steady_clock::now();
                    const at::Tensor out = m.call();
                    m.seconds.push_back(
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
                }
            for (const Method& m : list) {
                const double s = median(m.seconds);
                const double rate =
                    batch == 1 ? m.weightBytes / s / 1e9 : 2.0 * batch * shape.rows * shape.cols / s / 1e9;
                std::printf(
                    "| %d | %lld | %lldx%lld | %s | %.3f | %.1f %s | %s |\n", threads, static_cast<long long>(batch),
                    static_cast<long long>(shape.rows), static_cast<long long>(shape.cols), m.name.c_str(), s * 1e3,
                    rate, batch == 1 ? "GB/s" : "GFLOP/s",
                    batch == 1 ? (std::to_string(static_cast<int>(100 * rate * 1e9 / bandwidth)) + "%").c_str() : "");
                std::fflush(stdout);
            }
        }
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<int> threadCounts = {1, 2}, batches = {1, 512};
    int reps = 15;
    quant::Isa isa = quant::bestIsa();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--threads")
            threadCounts = intList(value);
        else if (flag == "--batch")
            batches = intList(value);
        else if (flag == "--reps")
            reps = std::stoi(value);
        else if (flag == "--isa")
            isa = quant::parseIsa(value, "--isa");
        else {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    torch::NoGradGuard noGrad;
    std::printf("kernels: %s\n", quant::isaName(isa).c_str());
    for (int threads : threadCounts) {
        at::set_num_threads(threads);
        // The stricter ceiling: the probe on transparent huge pages, as these weights may be.
        const double bandwidth = bench::readBandwidth(threads, true);
        std::printf("threads %d: read bandwidth %.1f GB/s (huge pages), %.1f GB/s (4 KiB pages)\n", threads,
                    bandwidth / 1e9, bench::readBandwidth(threads, false) / 1e9);
        std::printf("| threads | batch | matrix | method | ms | rate | of read roofline |\n| --- | --- | --- | --- | "
                    "---: | ---: | ---: |\n");
        for (int batch : batches)
            run(threads, batch, reps, isa, bandwidth);
    }
}
