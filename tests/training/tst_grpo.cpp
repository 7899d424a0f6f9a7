// The GRPO loss and the balance-bias update against values worked out by hand.

#include "training/grpo_loss.h"
#include "training/moe_balance.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

using namespace thinkbench::training;
namespace core = thinkbench::core;

namespace {
bool near(double a, double b)
{
    return std::abs(a - b) < 1e-9 * std::max(1.0, std::abs(b));
}
at::Tensor d(std::vector<double> v, std::vector<int64_t> shape)
{
    return torch::tensor(v, torch::kDouble).view(shape);
}
} // namespace

class TestGrpo : public QObject {
    Q_OBJECT

private slots:
    void advantages()
    {
        // Group 1: rewards 1, 0, 0, 1: mean 0.5, sample std sqrt(1/3). Group 2: all equal.
        const at::Tensor a = groupAdvantages(d({1, 0, 0, 1, 1, 1, 1, 1}, {8}), 4, core::AdvantageScaling::GroupStd);
        const double s = std::sqrt(1.0 / 3.0) + 1e-4;
        QVERIFY(near(a[0].item<double>(), 0.5 / s));
        QVERIFY(near(a[1].item<double>(), -0.5 / s));
        for (int i = 4; i < 8; ++i)
            QCOMPARE(a[i].item<double>(), 0.0); // no signal from a group that all agrees
        // Dr. GRPO: no std.
        const at::Tensor raw = groupAdvantages(d({2, 0, 1, 1}, {4}), 2, core::AdvantageScaling::None);
        QCOMPARE(raw[0].item<double>(), 1.0);
        QCOMPARE(raw[1].item<double>(), -1.0);
        QCOMPARE(raw[2].item<double>(), 0.0);
    }

    // Two sequences of two tokens; the second token of sequence 2 is padding.
    void clippingBothSides()
    {
        const at::Tensor oldLp = d({0, 0, 0, 0}, {2, 2});
        // ratios: e^0.5 = 1.6487 (above 1.28), e^-0.01; e^-0.5 = 0.6065 (below 0.8), padding
        const at::Tensor lp = d({0.5, -0.01, -0.5, 3.0}, {2, 2});
        const at::Tensor adv = d({1.0, -2.0}, {2});
        const at::Tensor mask = d({1, 1, 1, 0}, {2, 2});
        core::GrpoObjective config;
        config.beta = 0;
        const auto out = grpoLoss(lp, oldLp, {}, adv, mask, config);
        // Token objectives: min(1.6487*1, 1.28*1) = 1.28; min(0.99005*1, 0.99005*1) = 0.99005;
        // seq 2: min(0.6065*-2, 0.8*-2) = -1.6. Loss = -(1.28 + 0.99005 - 1.6) / 3.
        const double r2 = std::exp(-0.01);
        QVERIFY(near(out.loss.item<double>(), -(1.28 + r2 - 1.6) / 3.0));
        QVERIFY(near(out.clipHighFraction, 1.0 / 3.0));
        QVERIFY(near(out.clipLowFraction, 1.0 / 3.0));
        // Sequence mean: seq 1 mean -(1.28 + r2)/2, seq 2 mean 1.6; average of the two.
        config.loss_aggregation = core::LossAggregation::SequenceMean;
        QVERIFY(near(grpoLoss(lp, oldLp, {}, adv, mask, config).loss.item<double>(), (-(1.28 + r2) / 2.0 + 1.6) / 2.0));
        // Dr. GRPO: sum / (sequences * constant).
        config.loss_aggregation = core::LossAggregation::Constant;
        config.loss_constant = 10;
        QVERIFY(near(grpoLoss(lp, oldLp, {}, adv, mask, config).loss.item<double>(), -(1.28 + r2 - 1.6) / 20.0));
    }

    // A batch cut into micro-batches (as `micro_batch_size` does) gives the loss and the gradient
    // of the batch taken at once, for every aggregation.
    void microBatchesAddUp()
    {
        const at::Tensor oldLp = d({0, 0, 0, 0, 0, 0, -0.1, 0.2, 0}, {3, 3});
        const at::Tensor adv = d({1.0, -2.0, 0.5}, {3});
        const at::Tensor mask = d({1, 1, 1, 1, 0, 0, 1, 1, 0}, {3, 3});
        const auto rows = [](const at::Tensor& t, int64_t from, int64_t n) { return t.narrow(0, from, n); };
        for (const auto aggregation :
             {core::LossAggregation::TokenMean, core::LossAggregation::SequenceMean, core::LossAggregation::Constant}) {
            const core::GrpoObjective config{.beta = 0, .loss_aggregation = aggregation, .loss_constant = 7};
            const at::Tensor whole = d({0.5, -0.01, 0.1, -0.5, 3.0, 1.0, 0.05, 0.3, 2.0}, {3, 3}).requires_grad_(true);
            grpoLoss(whole, oldLp, {}, adv, mask, config).loss.backward();
            const double wholeLoss = grpoLoss(whole, oldLp, {}, adv, mask, config).loss.item<double>();

            const at::Tensor parts = whole.detach().clone().requires_grad_(true);
            const BatchTotals totals{.tokens = 6, .sequences = 3};
            const auto first =
                grpoLoss(rows(parts, 0, 2), rows(oldLp, 0, 2), {}, rows(adv, 0, 2), rows(mask, 0, 2), config, totals);
            const auto second =
                grpoLoss(rows(parts, 2, 1), rows(oldLp, 2, 1), {}, rows(adv, 2, 1), rows(mask, 2, 1), config, totals);
            (first.loss + second.loss).backward();
            QVERIFY(near(first.loss.item<double>() + second.loss.item<double>(), wholeLoss));
            QVERIFY(at::allclose(parts.grad(), whole.grad(), 0, 1e-12));
        }
    }

    void clippedTokensGetNoGradient()
    {
        const at::Tensor lp = d({0.5, -0.01}, {1, 2}).requires_grad_(true);
        const auto out =
            grpoLoss(lp, d({0, 0}, {1, 2}), {}, d({1.0}, {1}), d({1, 1}, {1, 2}), core::GrpoObjective{.beta = 0});
        out.loss.backward();
        QCOMPARE(lp.grad()[0][0].item<double>(), 0.0); // clipped above with a positive advantage
        QVERIFY(near(lp.grad()[0][1].item<double>(), -std::exp(-0.01) / 2.0));
    }

    void k3Kl()
    {
        // ref - logp = 0.3: k3 = e^0.3 - 0.3 - 1; ratio 1 and zero advantage leave only the KL.
        const at::Tensor lp = d({-1.0}, {1, 1});
        const core::GrpoObjective config{.beta = 0.5};
        const auto out = grpoLoss(lp, lp, d({-0.7}, {1, 1}), d({0.0}, {1}), d({1}, {1, 1}), config);
        const double k3 = std::exp(0.3) - 0.3 - 1.0;
        QVERIFY(near(out.kl, k3));
        QVERIFY(near(out.loss.item<double>(), 0.5 * k3));
        QVERIFY(out.kl >= 0);
    }

    void balanceBias()
    {
        at::Tensor bias = torch::zeros({4});
        updateSelectionBias(bias, torch::tensor({10.0, 2.0, 4.0, 4.0}), 0.01); // mean 5
        QVERIFY(at::allclose(bias, torch::tensor({-0.01f, 0.01f, 0.01f, 0.01f})));
        updateSelectionBias(bias, torch::tensor({5.0, 5.0, 5.0, 5.0}), 0.01); // balanced: unchanged
        QVERIFY(at::allclose(bias, torch::tensor({-0.01f, 0.01f, 0.01f, 0.01f})));
    }
};

QTEST_GUILESS_MAIN(TestGrpo)
#include "tst_grpo.moc"
