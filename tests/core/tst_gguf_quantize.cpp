// core/gguf/quantize: our Q4_K, Q6_K and Q5_0 quantizers (and Q8_0, llama.cpp's reference) on
// random weights decode within the stated error (RMS error over the weights' RMS), beat a plain
// min/max choice of scales, keep zeros exact, and refuse what they cannot quantize.

#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/gguf/quantize.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

using namespace thinkbench::core;

Q_DECLARE_METATYPE(GgmlType)

namespace {

at::Tensor roundTrip(GgmlType type, const at::Tensor& x)
{
    const std::string bytes = quantize(type, x.data_ptr<float>(), x.numel());
    at::Tensor y = at::empty_like(x);
    dequantize(type, reinterpret_cast<const uint8_t*>(bytes.data()), x.numel(), y.data_ptr<float>());
    return y;
}

double relativeRmsError(const at::Tensor& x, const at::Tensor& y)
{
    return (y - x).pow(2).mean().sqrt().item<double>() / x.pow(2).mean().sqrt().item<double>();
}

// Weights of a trained network are heavier-tailed than a normal: a Laplace sample.
at::Tensor weights(const QString& distribution, int64_t n)
{
    torch::manual_seed(18);
    if (distribution == "normal")
        return torch::randn({n}) * 0.02;
    const at::Tensor u = torch::rand({n}) - 0.5;
    return -0.02 * u.sign() * torch::log1p(-2 * u.abs());
}

// The error of the plain choice of Q4_K scales (the sub-block's range over 15 steps, min at its
// smallest value), before the 6-bit rounding of scales that the real format adds.
double minMaxQ4Error(const at::Tensor& x)
{
    const at::Tensor blocks = x.view({-1, 32});
    const at::Tensor lo = std::get<0>(blocks.min(1, true)).clamp_max(0);
    const at::Tensor scale = (std::get<0>(blocks.max(1, true)) - lo) / 15;
    const at::Tensor y = ((blocks - lo) / scale).round().clamp(0, 15) * scale + lo;
    return relativeRmsError(blocks, y);
}

} // namespace

class TestGgufQuantize : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { at::set_num_threads(2); }

    // Measured on 2^20 weights (normal: Q4_K 7.1%, Q5_0 4.0%, Q6_K 1.65%, Q8_0 0.53%; Laplace:
    // Q4_K 8.4%, Q6_K 2.0%); bounds a little above. The figures are the formats': 15 steps over a
    // 32-weight range is ~8% of a normal's RMS, 63 steps over 16 weights ~2%.
    void errorWithinBound_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<QString>("distribution");
        QTest::addColumn<double>("bound");
        QTest::newRow("Q4_K normal") << GgmlType::Q4_K << "normal" << 0.074;
        QTest::newRow("Q4_K laplace") << GgmlType::Q4_K << "laplace" << 0.087;
        QTest::newRow("Q5_0 normal") << GgmlType::Q5_0 << "normal" << 0.042;
        QTest::newRow("Q6_K normal") << GgmlType::Q6_K << "normal" << 0.0175;
        QTest::newRow("Q6_K laplace") << GgmlType::Q6_K << "laplace" << 0.021;
        QTest::newRow("Q8_0 normal") << GgmlType::Q8_0 << "normal" << 0.0056;
    }

    void errorWithinBound()
    {
        QFETCH(GgmlType, type);
        QFETCH(QString, distribution);
        QFETCH(double, bound);
        const at::Tensor x = weights(distribution, 1 << 20);
        const double error = relativeRmsError(x, roundTrip(type, x));
        qInfo("%s %s: relative RMS error %.4f", ggmlTypeName(uint32_t(type)).c_str(), qPrintable(distribution), error);
        QVERIFY2(error <= bound, qPrintable(QString::number(error)));
    }

    // The search over scales earns its time: below the plain min/max choice even though that one
    // keeps its scales in f32.
    void searchBeatsMinMax()
    {
        for (const char* distribution : {"normal", "laplace"}) {
            const at::Tensor x = weights(distribution, 1 << 18);
            const double ours = relativeRmsError(x, roundTrip(GgmlType::Q4_K, x)), plain = minMaxQ4Error(x);
            qInfo("Q4_K %s: ours %.4f, min/max %.4f", distribution, ours, plain);
            QVERIFY2(ours < 0.95 * plain, distribution);
        }
    }

    // Zeros stay zeros; a block of one value and a block with one outlier come back close.
    void specialBlocks()
    {
        for (GgmlType type : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q5_0, GgmlType::Q8_0}) {
            const std::string name = ggmlTypeName(uint32_t(type));
            const at::Tensor zeros = torch::zeros({256});
            QVERIFY2(at::equal(roundTrip(type, zeros), zeros), name.c_str());
            const at::Tensor constant = torch::full({256}, -0.75);
            QVERIFY2(relativeRmsError(constant, roundTrip(type, constant)) < 1e-3, name.c_str());
            at::Tensor outlier = torch::randn({256}) * 0.01;
            outlier[7] = 1.0;
            const at::Tensor back = roundTrip(type, outlier);
            // One of 15 steps over the outlier's range in Q4_K; finer in the others.
            const float tolerance = type == GgmlType::Q4_K ? 1e-2f : 2e-3f;
            QVERIFY2(std::fabs(back[7].item<float>() - 1.0f) < tolerance, name.c_str());
        }
    }

    void badInputs()
    {
        const at::Tensor x = torch::randn({512});
        auto message = [&](GgmlType type, int64_t count) -> std::string {
            try {
                quantize(type, x.data_ptr<float>(), count);
            } catch (const Error& e) {
                return e.place() + ": " + e.message();
            }
            return "no error";
        };
        QCOMPARE(message(GgmlType::Q4_K, 300), std::string("Q4_K: 300 elements are not whole blocks of 256"));
        QCOMPARE(message(GgmlType::F16, 256), std::string("quantize: no quantizer for F16"));
        x[300] = NAN;
        QCOMPARE(message(GgmlType::Q6_K, 512), std::string("element 300: is not finite; cannot quantize it"));
    }
};

QTEST_GUILESS_MAIN(TestGgufQuantize)
#include "tst_gguf_quantize.moc"
