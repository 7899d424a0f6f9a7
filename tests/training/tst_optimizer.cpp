// AdamW, the learning-rate schedule and gradient clipping against values worked out by hand, and
// the optimizer state surviving a save/load round trip.

#include "training/optimizer.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace thinkbench;
using namespace thinkbench::training;

namespace {
bool near(double a, double b, double tol = 1e-6)
{
    return std::abs(a - b) < tol;
}
} // namespace

class TestOptimizer : public QObject {
    Q_OBJECT

private slots:
    void adamwTwoSteps()
    {
        // g = 0.5 twice: the bias-corrected moments are 0.5 and 0.25 both times, so each update
        // is lr * 0.5 / sqrt(0.25) = lr, after the decoupled decay p *= 1 - lr * wd.
        std::map<std::string, at::Tensor> params{{"w", torch::ones({1}, torch::kDouble)}};
        AdamW opt(0.9, 0.999, 0.1);
        for (int i = 0; i < 2; ++i) {
            params["w"].mutable_grad() = torch::full({1}, 0.5, torch::kDouble);
            opt.step(params, 0.1);
        }
        QVERIFY(near(params["w"].item<double>(), (1.0 * 0.99 - 0.1) * 0.99 - 0.1));
        QCOMPARE(opt.steps(), int64_t(2));
    }

    void skipsParametersWithoutGradient()
    {
        std::map<std::string, at::Tensor> params{{"a", torch::ones({2})}, {"b", torch::ones({2})}};
        params["a"].mutable_grad() = torch::ones({2});
        AdamW opt(0.9, 0.95, 0.0);
        opt.step(params, 0.1);
        QVERIFY(at::allclose(params["b"], torch::ones({2})));
        QVERIFY(near(params["a"][0].item<double>(), 0.9, 1e-5));
        QCOMPARE(opt.state().count("exp_avg.b"), size_t(0));
    }

    void schedule()
    {
        core::OptimizerSettings s{
            .lr = 1.0, .warmup_steps = 2, .schedule = core::LrSchedule::Cosine, .min_lr_ratio = 0.1};
        QVERIFY(near(scheduledLr(s, 0, 11), 0.5));
        QVERIFY(near(scheduledLr(s, 1, 11), 1.0));
        QVERIFY(near(scheduledLr(s, 2, 11), 1.0));  // decay starts at 1
        QVERIFY(near(scheduledLr(s, 6, 11), 0.55)); // halfway: 0.1 + 0.9 * 0.5
        QVERIFY(near(scheduledLr(s, 10, 11), 0.1)); // last step: the floor
        s.schedule = core::LrSchedule::Constant;
        QVERIFY(near(scheduledLr(s, 0, 11), 0.5));
        QVERIFY(near(scheduledLr(s, 7, 11), 1.0));
    }

    void clipping()
    {
        std::map<std::string, at::Tensor> params{{"a", torch::zeros({1})}, {"b", torch::zeros({1})}};
        params["a"].mutable_grad() = torch::full({1}, 3.0);
        params["b"].mutable_grad() = torch::full({1}, 4.0);
        QVERIFY(near(clipGradNorm(params, 0), 5.0)); // 0: measure only
        QVERIFY(near(params["a"].grad().item<double>(), 3.0));
        QVERIFY(near(clipGradNorm(params, 1.0), 5.0));
        QVERIFY(near(params["a"].grad().item<double>(), 0.6, 1e-5));
        QVERIFY(near(params["b"].grad().item<double>(), 0.8, 1e-5));
        QVERIFY(near(clipGradNorm(params, 2.0), 1.0, 1e-5)); // below the limit: unchanged
        QVERIFY(near(params["b"].grad().item<double>(), 0.8, 1e-5));
    }

    void stateRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("optimizer.safetensors").toStdString();
        torch::manual_seed(3);
        std::map<std::string, at::Tensor> a{{"model.w", torch::randn({3, 2})}};
        AdamW first(0.9, 0.95, 0.01);
        a["model.w"].mutable_grad() = torch::randn({3, 2});
        first.step(a, 0.01);
        first.save(path);

        std::map<std::string, at::Tensor> b{{"model.w", a["model.w"].clone()}};
        AdamW second(0.9, 0.95, 0.01);
        second.load(path);
        QCOMPARE(second.steps(), int64_t(1));
        const at::Tensor grad = torch::randn({3, 2});
        a["model.w"].mutable_grad() = grad.clone();
        b["model.w"].mutable_grad() = grad.clone();
        first.step(a, 0.01);
        second.step(b, 0.01);
        QVERIFY(at::equal(a["model.w"], b["model.w"]));

        auto broken = first.state();
        broken.erase("exp_avg_sq.model.w");
        QVERIFY_THROWS_EXCEPTION(core::Error, second.loadState(broken, "x.safetensors"));
    }
};

QTEST_GUILESS_MAIN(TestOptimizer)
#include "tst_optimizer.moc"
