// quantizedLinear() against core::dequantize + at::matmul on random blocks of every type, for x in f32
// and bf16 at batch 1, 3 and 17; that the kernels run on the configured threads; every ISA path the
// CPU runs (row kernels, batch tiles of 4 with their remainders, the GEMM of many rows) against the
// portable one, x's rounding to int8 included, and the K-quants' integer sums at their largest; several matrices of one
// input in one pass equal each alone; a dense bf16 weight without gradient through the same kernel; and the errors for
// a type without a kernel and for shapes that do not fit.

#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/model/linear_weight.h"
#include "core/quant/activation_quant.h"
#include "core/quant/quantized_linear_isa.h"
#include "tests/random_blocks.h"

#include <torch/torch.h>

#include <QtTest>

#include <filesystem>

using namespace thinkbench::core;
using thinkbench::tests::randomQuantizedMatrix;

namespace {

// Largest |ours - reference| over the largest |reference|. The portable path sums in f32 in
// another order than at::matmul (1e-6 measured); a bf16 result is rounded to 8 bits (2^-9 of a
// value at most).
constexpr double kF32Tolerance = 1e-5;
constexpr double kBf16Tolerance = 8e-3;
// The ISA kernels multiply the quantized types with x rounded to int8, as llama.cpp does: by 32
// elements for Q8_0, Q4_0 and Q5_0, by 256 for the K-quants (at one row of x on these random blocks,
// 0.47% to 0.81% and 0.58% to 1.38% of the largest output). F32/F16/BF16 weights meet x in f32 (4.5e-7).
constexpr double kInt8Tolerance = 2e-2;
// Isa::Avx512Bf16 multiplies BF16 weights with x rounded to bf16: 0.14% to 0.30% of the largest output
// here; up to 0.63% over 300 random draws of each shape, at one row of x.
constexpr double kBf16XTolerance = 1e-2;
// From kGemmRows rows of x on, x and the weights are multiplied in bf16 where the CPU multiplies bf16
// natively: up to 1.15% measured (Q4_0, 256 columns, 65 rows of x); elsewhere in f32, as the portable
// path does.
const double kGemmTolerance = quant::cpuMultipliesBf16() ? 3e-2 : kF32Tolerance;

const GgmlType kTypes[] = {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q4_K, GgmlType::Q5_K,
                           GgmlType::Q6_K, GgmlType::F32,  GgmlType::F16,  GgmlType::BF16};

at::Tensor dequantized(const QuantizedMatrix& w)
{
    at::Tensor out = at::empty({w.rows, w.cols});
    dequantize(w.type, w.data, w.rows * w.cols, out.data_ptr<float>());
    return out;
}

int64_t threadsOfThisProcess()
{
    return std::distance(std::filesystem::directory_iterator("/proc/self/task"), std::filesystem::directory_iterator());
}

double relError(const at::Tensor& ours, const at::Tensor& reference)
{
    return (ours.to(at::kFloat) - reference).abs().max().item<double>() / reference.abs().max().item<double>();
}

} // namespace

class TestQuantizedLinear : public QObject {
    Q_OBJECT

private slots:
    void runsOnTheConfiguredThreads(); // first: it needs a process whose OpenMP pool has not started
    void portableEqualsDequantizedMatmul_data();
    void portableEqualsDequantizedMatmul();
    void everyIsaEqualsPortable_data();
    void everyIsaEqualsPortable();
    void everyIsaRoundsXAsPortable();
    void largestKQuantBlocksFitTheirSums();
    void matricesOfOneInputEqualEachAlone();
    void sameBitsOnAnyThreadCount();
    void leadingDimensionsKept();
    void denseWeightRunsTheRowKernel_data();
    void denseWeightRunsTheRowKernel();
    void errors();
};

// The kernels' at::parallel_for splits the rows only in code compiled with OpenMP (a build without
// it ran every quantized matrix on one thread): the first parallel region of the process starts
// the pool's worker threads, so a multiply of many rows on two threads adds one.
void TestQuantizedLinear::runsOnTheConfiguredThreads()
{
    at::set_num_threads(2);
    const QuantizedMatrix w = randomQuantizedMatrix(GgmlType::Q8_0, 4096, 256, 11);
    const at::Tensor x = at::randn({1, 256});
    const int64_t before = threadsOfThisProcess();
    const at::Tensor ours = quantizedLinear(x, w);
    QCOMPARE(threadsOfThisProcess(), before + 1);
    QVERIFY(relError(ours, at::matmul(x, dequantized(w).t())) < kInt8Tolerance);
}

static void addShapes()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    for (GgmlType type : kTypes) {
        const bool kQuant = ggmlTypeTraits(static_cast<uint32_t>(type))->blockElements == 256;
        for (auto [rows, cols] : {std::pair{7, 256}, std::pair{130, 768}, std::pair{33, 4864}, std::pair{64, 896}}) {
            if (kQuant && cols % 256 != 0)
                continue;
            const std::string name =
                ggmlTypeName(static_cast<uint32_t>(type)) + " " + std::to_string(rows) + "x" + std::to_string(cols);
            QTest::newRow(name.c_str()) << static_cast<int>(type) << rows << cols;
        }
    }
}

void TestQuantizedLinear::portableEqualsDequantizedMatmul_data()
{
    addShapes();
}

void TestQuantizedLinear::portableEqualsDequantizedMatmul()
{
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, cols);
    const QuantizedMatrix w = randomQuantizedMatrix(static_cast<GgmlType>(type), rows, cols, 1234u + type);
    const at::Tensor weights = dequantized(w);
    for (int64_t batch : {1, 3, 17}) {
        at::manual_seed(batch);
        const at::Tensor x = at::randn({batch, cols});
        const at::Tensor reference = at::matmul(x, weights.t());
        const at::Tensor ours = quant::quantizedLinear(x, w, quant::Isa::Portable);
        QCOMPARE(ours.scalar_type(), at::kFloat);
        QCOMPARE(ours.sizes(), reference.sizes());
        QVERIFY2(relError(ours, reference) < kF32Tolerance, std::to_string(relError(ours, reference)).c_str());

        const at::Tensor xb = x.to(at::kBFloat16);
        const at::Tensor ob = quant::quantizedLinear(xb, w, quant::Isa::Portable);
        QCOMPARE(ob.scalar_type(), at::kBFloat16);
        const at::Tensor referenceB = at::matmul(xb.to(at::kFloat), weights.t());
        QVERIFY2(relError(ob, referenceB) < kBf16Tolerance, std::to_string(relError(ob, referenceB)).c_str());
    }
}

void TestQuantizedLinear::everyIsaEqualsPortable_data()
{
    addShapes();
}

void TestQuantizedLinear::everyIsaEqualsPortable()
{
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, cols);
    const QuantizedMatrix w = randomQuantizedMatrix(static_cast<GgmlType>(type), rows, cols, 99u + type);
    int tested = 0;
    for (quant::Isa isa : quant::kIsas) {
        if (isa == quant::Isa::Portable || !quant::cpuHas(isa))
            continue;
        QVERIFY(quant::rowsKernel(isa, w.type) != nullptr);
        ++tested;
        for (int64_t batch : {int64_t{1}, int64_t{3}, int64_t{5}, quant::kGemmRows - 1, quant::kGemmRows + 1}) {
            const quant::ActivationForm form = quant::activationForm(isa, w.type);
            const double rowsTolerance = form == quant::ActivationForm::Float  ? kF32Tolerance
                                         : form == quant::ActivationForm::Bf16 ? kBf16XTolerance
                                                                               : kInt8Tolerance;
            const double tolerance = quant::viaGemm(isa, w.type, batch) ? kGemmTolerance : rowsTolerance;
            at::manual_seed(batch);
            const at::Tensor x = at::randn({batch, cols});
            const at::Tensor portable = quant::quantizedLinear(x, w, quant::Isa::Portable);
            const at::Tensor ours = quant::quantizedLinear(x, w, isa);
            const double error = relError(ours, portable);
            QVERIFY2(error < tolerance, (quant::isaName(isa) + " " + std::to_string(error)).c_str());
            // The row kernels past the switch too, where the GEMM serves (every type on a bf16 CPU).
            const double rowsError = relError(quant::quantizedLinear(x, w, isa, quant::Path::RowKernels), portable);
            QVERIFY2(rowsError < rowsTolerance, (quant::isaName(isa) + " rows " + std::to_string(rowsError)).c_str());
            const at::Tensor xb = x.to(at::kBFloat16);
            const double errorB = relError(quant::quantizedLinear(xb, w, isa),
                                           quant::quantizedLinear(xb, w, quant::Isa::Portable).to(at::kFloat));
            // x already in bf16 loses nothing more to the bf16 pairs: the results differ by their rounding only.
            const bool bf16Pairs = form == quant::ActivationForm::Bf16 && !quant::viaGemm(isa, w.type, batch);
            QVERIFY2(errorB < (bf16Pairs ? kBf16Tolerance : tolerance + kBf16Tolerance),
                     (quant::isaName(isa) + " bf16 " + std::to_string(errorB)).c_str());
        }
    }
    if (tested == 0)
        QSKIP("this CPU runs no ISA kernels");
}

// The integer kernels of every ISA must see the same int8 x as the portable rounding, byte for byte,
// by 32 and by 256: blocks of normal values, of zeros, of one value and of a value exactly halfway
// between two steps.
void TestQuantizedLinear::everyIsaRoundsXAsPortable()
{
    const int64_t n = 3, cols = 4096;
    at::manual_seed(5);
    at::Tensor x = at::randn({n, cols}) * at::rand({n, cols / 32, 1}).expand({n, cols / 32, 32}).reshape({n, cols});
    x[0].narrow(0, 0, 256).zero_();
    x[0].narrow(0, 256, 256).fill_(-3.5f);
    x[1].narrow(0, 0, 256).zero_();
    x[1][0] = 127.0f; // scale 1: the next one, 2.5, rounds to even
    x[1][1] = 2.5f;
    x[1][2] = -0.5f;
    const float* data = x.const_data_ptr<float>();
    for (int64_t block : {32, 256}) {
        std::vector<int8_t> q(n * cols), qIsa(n * cols);
        std::vector<float> scale(n * cols / block), scaleIsa(n * cols / block);
        std::vector<int16_t> sums(n * cols / 16), sumsIsa(n * cols / 16);
        quant::quantizeActivations(data, n, cols, block, q.data(), scale.data(), sums.data());
        QCOMPARE(q[cols + 1], int8_t{2});
        QCOMPARE(q[cols + 2], int8_t{0});
        QCOMPARE(sums[cols / 16], int16_t{127 + 2});
        QCOMPARE(sums[256 / 16], int16_t{-16 * 127});
        int tested = 0;
        for (quant::Isa isa : quant::kIsas) {
            if (isa == quant::Isa::Portable || !quant::cpuHas(isa))
                continue;
            ++tested;
            const std::string what = quant::isaName(isa) + " by " + std::to_string(block);
            QVERIFY(quant::activationQuantizer(isa) != quant::quantizeActivations);
            quant::activationQuantizer(isa)(data, n, cols, block, qIsa.data(), scaleIsa.data(), sumsIsa.data());
            QVERIFY2(q == qIsa, what.c_str());
            QVERIFY2(scale == scaleIsa, what.c_str());
            QVERIFY2(sums == sumsIsa, what.c_str());
        }
        if (tested == 0)
            QSKIP("this CPU runs no ISA kernels");
    }
}

// The K-quant kernels sum a whole block in integers before it turns to float. With every quant,
// scale and min at its largest (Q6_K's scales at -128) and x at +1 or -1 everywhere (every int8 at
// +-127), those sums must still fit: a lane that overflowed would be far from the portable result.
void TestQuantizedLinear::largestKQuantBlocksFitTheirSums()
{
    const int64_t cols = 512;
    for (GgmlType type : {GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
        const QuantizedMatrix w = randomQuantizedMatrix(type, 4, cols, 8);
        auto* bytes = const_cast<uint8_t*>(w.data);
        const int64_t blockBytes = ggmlTypeTraits(static_cast<uint32_t>(type))->blockBytes;
        for (int64_t block = 0; block < w.rows * w.rowBytes(); block += blockBytes) {
            uint8_t* start = bytes + block;
            std::vector<uint8_t> scales;
            for (int offset : thinkbench::tests::blockScaleOffsets(type))
                scales.insert(scales.end(), start + offset, start + offset + 2);
            std::memset(start, 0xFF, blockBytes);
            if (type == GgmlType::Q6_K)
                std::memset(start + 192, 0x80, 16);
            size_t next = 0;
            for (int offset : thinkbench::tests::blockScaleOffsets(type)) {
                std::memcpy(start + offset, scales.data() + next, 2);
                next += 2;
            }
        }
        for (quant::Isa isa : quant::kIsas) {
            if (isa == quant::Isa::Portable || !quant::cpuHas(isa))
                continue;
            for (float sign : {1.0f, -1.0f}) {
                const at::Tensor x = at::full({2, cols}, sign);
                const double error =
                    relError(quant::quantizedLinear(x, w, isa), quant::quantizedLinear(x, w, quant::Isa::Portable));
                QVERIFY2(error < 1e-5, (ggmlTypeName(static_cast<uint32_t>(type)) + " " + quant::isaName(isa) + " " +
                                        std::to_string(error))
                                           .c_str());
            }
        }
    }
}

// A layer's q, k and v (and gate and up) run as one pass over their rows: each result must be the
// one the matrix gives alone, bit for bit, whatever mix of types, under every ISA, for a few rows of
// x (the row kernels) and for many (each through the GEMM), in f32 and bf16.
void TestQuantizedLinear::matricesOfOneInputEqualEachAlone()
{
    const int64_t cols = 512;
    const std::vector<QuantizedMatrix> ws = {
        randomQuantizedMatrix(GgmlType::Q4_K, 300, cols, 1), randomQuantizedMatrix(GgmlType::Q6_K, 64, cols, 2),
        randomQuantizedMatrix(GgmlType::F32, 5, cols, 3), randomQuantizedMatrix(GgmlType::Q8_0, 77, cols, 4)};
    for (quant::Isa isa : quant::kIsas) {
        if (!quant::cpuHas(isa))
            continue;
        for (int64_t batch : {int64_t{1}, int64_t{3}, quant::kGemmRows}) {
            for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
                at::manual_seed(batch);
                const at::Tensor x = at::randn({batch, 1, cols}).to(dtype);
                const std::vector<at::Tensor> together = quant::quantizedLinears(x, ws, isa);
                QCOMPARE(together.size(), ws.size());
                for (size_t i = 0; i < ws.size(); ++i) {
                    const at::Tensor alone = quant::quantizedLinear(x, ws[i], isa);
                    QCOMPARE(together[i].sizes(), (at::IntArrayRef{batch, 1, ws[i].rows}));
                    QVERIFY2(at::equal(together[i], alone),
                             (quant::isaName(isa) + " matrix " + std::to_string(i) + " batch " + std::to_string(batch))
                                 .c_str());
                }
            }
        }
    }
    QVERIFY(quantizedLinears(at::randn({2, cols}), {}).empty());
}

// The threads take chunks of rows as they come free, so which thread computes a row varies from
// call to call: every row must come out the same whichever it is, on one thread, two or three.
void TestQuantizedLinear::sameBitsOnAnyThreadCount()
{
    const int64_t cols = 256;
    const std::vector<QuantizedMatrix> ws = {randomQuantizedMatrix(GgmlType::Q4_K, 2000, cols, 1),
                                             randomQuantizedMatrix(GgmlType::Q8_0, 1003, cols, 2),
                                             randomQuantizedMatrix(GgmlType::BF16, 517, cols, 3)};
    const at::Tensor x = at::randn({1, cols});
    const int threads = at::get_num_threads();
    std::vector<std::vector<at::Tensor>> results;
    for (int n : {1, 2, 3}) {
        at::set_num_threads(n);
        for (int repeat = 0; repeat < 3; ++repeat)
            results.push_back(quantizedLinears(x, ws));
    }
    at::set_num_threads(threads);
    for (const std::vector<at::Tensor>& result : results)
        for (size_t i = 0; i < ws.size(); ++i)
            QVERIFY(at::equal(result[i], results[0][i]));
}

void TestQuantizedLinear::leadingDimensionsKept()
{
    const QuantizedMatrix w = randomQuantizedMatrix(GgmlType::Q8_0, 40, 64, 7);
    const at::Tensor x = at::randn({2, 3, 64});
    const at::Tensor ours = quantizedLinear(x, w);
    QCOMPARE(ours.sizes(), (at::IntArrayRef{2, 3, 40}));
    QVERIFY(relError(ours, at::matmul(x, dequantized(w).t())) < 2e-2);
}

// A model's bf16 and f32 weights (a safetensors or GGUF file read in place, a GRPO rollout's
// policy) multiply a few rows of x through the row kernels when no gradient is wanted, and through
// at::linear, gradient and all, when one is.
void TestQuantizedLinear::denseWeightRunsTheRowKernel_data()
{
    QTest::addColumn<bool>("bf16");
    QTest::newRow("bf16") << true;
    QTest::newRow("f32") << false;
}

void TestQuantizedLinear::denseWeightRunsTheRowKernel()
{
    QFETCH(bool, bf16);
    const at::ScalarType dtype = bf16 ? at::kBFloat16 : at::kFloat;
    const at::Tensor w = at::randn({300, 256}).to(dtype);
    const at::Tensor x = at::randn({2, 256}).to(dtype);
    const at::Tensor reference = at::matmul(x.to(at::kFloat), w.to(at::kFloat).t());
    {
        at::NoGradGuard noGrad;
        const at::Tensor ours = LinearWeight(w).product(x);
        const QuantizedMatrix view{bf16 ? GgmlType::BF16 : GgmlType::F32, 300, 256,
                                   static_cast<const uint8_t*>(w.const_data_ptr()), nullptr};
        QVERIFY(at::equal(ours, quantizedLinear(x, view)));
        QVERIFY(relError(ours, reference) < (bf16 ? kBf16Tolerance : kF32Tolerance));
        if (!bf16 && quant::bestIsa() != quant::Isa::Portable) // not torch's linear: ours sums in its own order
            QVERIFY(!at::equal(ours, at::linear(x, w)));
    }
    const at::Tensor trainable = w.clone().requires_grad_();
    const at::Tensor y = LinearWeight(trainable).product(x);
    QVERIFY(at::equal(y.detach(), at::linear(x, w)));
    y.sum().backward();
    QVERIFY(trainable.grad().defined());
}

void TestQuantizedLinear::errors()
{
    auto message = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const Error& e) {
            return e.message();
        }
        return "no error";
    };
    const QuantizedMatrix w = randomQuantizedMatrix(GgmlType::Q4_K, 8, 512, 3);
    const std::string shape = message([&] { quantizedLinear(at::randn({1, 511}), w); });
    QVERIFY2(shape.find("512 columns") != std::string::npos, shape.c_str());
    const std::string dtype = message([&] { quantizedLinear(at::ones({1, 512}, at::kInt), w); });
    QVERIFY2(dtype.find("Float or BFloat16") != std::string::npos, dtype.c_str());

    QuantizedMatrix q4_1 = randomQuantizedMatrix(GgmlType::Q8_0, 8, 512, 3);
    q4_1.type = static_cast<GgmlType>(3);
    const std::string type = message([&] { quantizedLinear(at::randn({1, 512}), q4_1); });
    QVERIFY2(type.find("no kernel for Q4_1") != std::string::npos, type.c_str());

    QuantizedMatrix ragged = w;
    ragged.cols = 300;
    const std::string blocks = message([&] { quantizedLinear(at::randn({1, 300}), ragged); });
    QVERIFY2(blocks.find("multiple of 256") != std::string::npos, blocks.c_str());
}

QTEST_GUILESS_MAIN(TestQuantizedLinear)
#include "tst_quantized_linear.moc"
