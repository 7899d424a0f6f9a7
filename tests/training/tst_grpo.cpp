// The GRPO loss and the balance-bias update against values worked out by hand; MoE routing replay
// on a small random model.

#include "core/error.h"
#include "core/model/transformer.h"
#include "training/grpo_loss.h"
#include "training/moe_balance.h"
#include "training/routing_replay.h"

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
GrpoTokens in(at::Tensor lp, at::Tensor oldLp, at::Tensor ref, at::Tensor adv, at::Tensor mask, at::Tensor entropy = {})
{
    return {
        .logprobs = lp, .oldLogprobs = oldLp, .refLogprobs = ref, .advantages = adv, .mask = mask, .entropy = entropy};
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
        const auto out = grpoLoss(in(lp, oldLp, {}, adv, mask), config);
        // Token objectives: min(1.6487*1, 1.28*1) = 1.28; min(0.99005*1, 0.99005*1) = 0.99005;
        // seq 2: min(0.6065*-2, 0.8*-2) = -1.6. Loss = -(1.28 + 0.99005 - 1.6) / 3.
        const double r2 = std::exp(-0.01);
        QVERIFY(near(out.loss.item<double>(), -(1.28 + r2 - 1.6) / 3.0));
        QVERIFY(near(out.clipHighFraction, 1.0 / 3.0));
        QVERIFY(near(out.clipLowFraction, 1.0 / 3.0));
        // Sequence mean: seq 1 mean -(1.28 + r2)/2, seq 2 mean 1.6; average of the two.
        config.loss_aggregation = core::LossAggregation::SequenceMean;
        QVERIFY(
            near(grpoLoss(in(lp, oldLp, {}, adv, mask), config).loss.item<double>(), (-(1.28 + r2) / 2.0 + 1.6) / 2.0));
        // Dr. GRPO: sum / (sequences * constant).
        config.loss_aggregation = core::LossAggregation::Constant;
        config.loss_constant = 10;
        QVERIFY(near(grpoLoss(in(lp, oldLp, {}, adv, mask), config).loss.item<double>(), -(1.28 + r2 - 1.6) / 20.0));
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
            grpoLoss(in(whole, oldLp, {}, adv, mask), config).loss.backward();
            const double wholeLoss = grpoLoss(in(whole, oldLp, {}, adv, mask), config).loss.item<double>();

            const at::Tensor parts = whole.detach().clone().requires_grad_(true);
            const BatchTotals totals{.tokens = 6, .sequences = 3};
            const auto first = grpoLoss(in(rows(parts, 0, 2), rows(oldLp, 0, 2), {}, rows(adv, 0, 2), rows(mask, 0, 2)),
                                        config, totals);
            const auto second = grpoLoss(
                in(rows(parts, 2, 1), rows(oldLp, 2, 1), {}, rows(adv, 2, 1), rows(mask, 2, 1)), config, totals);
            (first.loss + second.loss).backward();
            QVERIFY(near(first.loss.item<double>() + second.loss.item<double>(), wholeLoss));
            QVERIFY(at::allclose(parts.grad(), whole.grad(), 0, 1e-12));
        }
    }

    void clippedTokensGetNoGradient()
    {
        const at::Tensor lp = d({0.5, -0.01}, {1, 2}).requires_grad_(true);
        const auto out =
            grpoLoss(in(lp, d({0, 0}, {1, 2}), {}, d({1.0}, {1}), d({1, 1}, {1, 2})), core::GrpoObjective{.beta = 0});
        out.loss.backward();
        QCOMPARE(lp.grad()[0][0].item<double>(), 0.0); // clipped above with a positive advantage
        QVERIFY(near(lp.grad()[0][1].item<double>(), -std::exp(-0.01) / 2.0));
    }

    void k3Kl()
    {
        // ref - logp = 0.3: k3 = e^0.3 - 0.3 - 1; ratio 1 and zero advantage leave only the KL.
        const at::Tensor lp = d({-1.0}, {1, 1});
        const core::GrpoObjective config{.beta = 0.5};
        const auto out = grpoLoss(in(lp, lp, d({-0.7}, {1, 1}), d({0.0}, {1}), d({1}, {1, 1})), config);
        const double k3 = std::exp(0.3) - 0.3 - 1.0;
        QVERIFY(near(out.kl, k3));
        QVERIFY(near(out.loss.item<double>(), 0.5 * k3));
        QVERIFY(out.kl >= 0);
    }

    void batchScaling()
    {
        // Centred on each group's mean, divided by the std of all eight rewards (six 1s, two 0s:
        // mean 0.75, sum of squared deviations 1.5, Bessel: 1.5 / 7).
        const at::Tensor a = groupAdvantages(d({1, 0, 0, 1, 1, 1, 1, 1}, {8}), 4, core::AdvantageScaling::BatchStd);
        const double s = std::sqrt(1.5 / 7.0) + 1e-4;
        QVERIFY(near(a[0].item<double>(), 0.5 / s));
        QVERIFY(near(a[1].item<double>(), -0.5 / s));
        QCOMPARE(a[5].item<double>(), 0.0);
    }

    // Every new option at its default gives today's loss and gradient to the bit: today's formula,
    // written out here, against grpoLoss with a default objective.
    void defaultsKeepTodaysLoss()
    {
        const at::Tensor oldLp = d({0, 0, 0, 0, 0, 0, -0.1, 0.2, 0}, {3, 3});
        const at::Tensor ref = d({-0.2, 0.1, 0, 0.3, 0, 0, 0, -0.1, 0}, {3, 3});
        const at::Tensor adv = d({1.0, -2.0, 0.5}, {3});
        const at::Tensor mask = d({1, 1, 1, 1, 0, 0, 1, 1, 0}, {3, 3});
        const at::Tensor lp = d({0.5, -0.01, 0.1, -0.5, 3.0, 1.0, 0.05, 0.3, 2.0}, {3, 3}).requires_grad_(true);
        const at::Tensor lpToday = lp.detach().clone().requires_grad_(true);
        const core::GrpoObjective config;
        const auto out = grpoLoss(in(lp, oldLp, ref, adv, mask), config);
        out.loss.backward();

        const at::Tensor a = adv.unsqueeze(1);
        const at::Tensor ratio = at::exp(lpToday - oldLp);
        const at::Tensor diff = ref - lpToday;
        const at::Tensor perToken = -at::min(ratio * a, ratio.clamp(1.0 - config.eps_low, 1.0 + config.eps_high) * a) +
                                    config.beta * (at::exp(diff) - diff - 1);
        const at::Tensor today = (perToken * mask).sum(1).sum() / 6.0;
        today.backward();
        QCOMPARE(out.loss.item<double>(), today.item<double>());
        QVERIFY(at::equal(lp.grad(), lpToday.grad()));
        QCOMPARE(out.clipTwoSidedFraction, 0.0);
    }

    // GSPO: one ratio per sequence, exp of the mean token log-ratio, clipped per sequence.
    void sequenceRatio()
    {
        // Sequence 1: log-ratios 0.3, 0.5: ratio e^0.4 = 1.49 > 1.28 with A = 1, clipped for both
        // tokens. Sequence 2: one token (then padding), ratio e^-0.1 = 0.905 inside the clip, A = -2.
        const at::Tensor lp = d({0.3, 0.5, -0.1, 3.0}, {2, 2}).requires_grad_(true);
        const core::GrpoObjective config{.beta = 0, .importance_ratio = core::ImportanceLevel::Sequence};
        const auto out =
            grpoLoss(in(lp, d({0, 0, 0, 0}, {2, 2}), {}, d({1.0, -2.0}, {2}), d({1, 1, 1, 0}, {2, 2})), config);
        const double s2 = std::exp(-0.1);
        QVERIFY(near(out.loss.item<double>(), -(2 * 1.28 - 2 * s2) / 3.0));
        QVERIFY(near(out.clipHighFraction, 2.0 / 3.0));
        out.loss.backward();
        QCOMPARE(lp.grad()[0][0].item<double>(), 0.0); // the whole sequence is clipped
        QCOMPARE(lp.grad()[0][1].item<double>(), 0.0);
        QVERIFY(near(lp.grad()[1][0].item<double>(), 2.0 * s2 / 3.0)); // d(-s * A / 3) / d lp
        QCOMPARE(lp.grad()[1][1].item<double>(), 0.0);

        // Two unclipped tokens (log-ratios 0.1, -0.1: s = 1, A = 1): loss -(s + s) / 2 = -s, and
        // ds / d lp_t = s / 2 for both, where token ratios would give e^0.1 / 2 and e^-0.1 / 2.
        const at::Tensor both = d({0.1, -0.1}, {1, 2}).requires_grad_(true);
        grpoLoss(in(both, d({0, 0}, {1, 2}), {}, d({1.0}, {1}), d({1, 1}, {1, 2})), config).loss.backward();
        QVERIFY(near(both.grad()[0][0].item<double>(), -0.5));
        QVERIFY(near(both.grad()[0][1].item<double>(), -0.5));
    }

    // Dual clip: with a negative advantage the ratio counts at most delta.
    void twoSidedClip()
    {
        // Sequence 1 (A = -2): ratios e^1.5 = 4.48 > delta = 3 and e^0.5. Sequence 2 (A = 1): e^1.5, 1.
        const at::Tensor lp = d({1.5, 0.5, 1.5, 0}, {2, 2}).requires_grad_(true);
        const at::Tensor oldLp = d({0, 0, 0, 0}, {2, 2}), adv = d({-2.0, 1.0}, {2}), mask = d({1, 1, 1, 1}, {2, 2});
        core::GrpoObjective config{.beta = 0, .delta = 3};
        const auto out = grpoLoss(in(lp, oldLp, {}, adv, mask), config);
        // Objectives: max(min(-8.96, -2.56), -6) = -6; min(-2 e^0.5, -2.56) = -2 e^0.5; 1.28; 1.
        QVERIFY(near(out.loss.item<double>(), (6 + 2 * std::exp(0.5) - 1.28 - 1) / 4.0));
        QVERIFY(near(out.clipTwoSidedFraction, 0.25));
        out.loss.backward();
        QCOMPARE(lp.grad()[0][0].item<double>(), 0.0); // capped: no gradient
        QVERIFY(near(lp.grad()[0][1].item<double>(), 2 * std::exp(0.5) / 4.0));
        config.delta = 0; // off: the far-off token counts with its full ratio
        QVERIFY(near(grpoLoss(in(lp, oldLp, {}, adv, mask), config).loss.item<double>(),
                     (2 * std::exp(1.5) + 2 * std::exp(0.5) - 1.28 - 1) / 4.0));
    }

    // CISPO: loss = -sg(clip(ratio)) * A * logp; every token keeps a gradient.
    void cispo()
    {
        // Ratios e^0.5 (clipped to 1.28), e^-0.01, e^-0.5 (clipped to 0.8); the fourth is padding.
        const at::Tensor lp = d({-0.5, -1.01, -1.5, 2.0}, {2, 2}).requires_grad_(true);
        const core::GrpoObjective config{.beta = 0, .policy_loss = core::PolicyLoss::Cispo};
        const auto out =
            grpoLoss(in(lp, d({-1, -1, -1, -1}, {2, 2}), {}, d({1.0, -2.0}, {2}), d({1, 1, 1, 0}, {2, 2})), config);
        const double r2 = std::exp(-0.01);
        QVERIFY(near(out.loss.item<double>(), -(1.28 * -0.5 + r2 * -1.01 + 0.8 * -2 * -1.5) / 3.0));
        out.loss.backward();
        QVERIFY(near(lp.grad()[0][0].item<double>(), -1.28 / 3.0)); // clipped, yet a gradient
        QVERIFY(near(lp.grad()[0][1].item<double>(), -r2 / 3.0));
        QVERIFY(near(lp.grad()[1][0].item<double>(), 1.6 / 3.0));
        QCOMPARE(lp.grad()[1][1].item<double>(), 0.0);
    }

    void entropyBonus()
    {
        // Ratio 1 and zero advantage leave only -coef * mean entropy over the trained tokens.
        const at::Tensor lp = d({-1, -1, -1}, {1, 3});
        const at::Tensor entropy = d({0.2, 0.6, 9.0}, {1, 3}).requires_grad_(true);
        const core::GrpoObjective config{.beta = 0, .entropy_coef = 0.1};
        const auto out = grpoLoss(in(lp, lp, {}, d({0.0}, {1}), d({1, 1, 0}, {1, 3}), entropy), config);
        QVERIFY(near(out.loss.item<double>(), -0.1 * 0.4));
        out.loss.backward();
        QVERIFY(near(entropy.grad()[0][0].item<double>(), -0.05));
        QCOMPARE(entropy.grad()[0][2].item<double>(), 0.0);
        QVERIFY_THROWS_EXCEPTION(std::exception, grpoLoss(in(lp, lp, {}, d({0.0}, {1}), d({1, 1, 0}, {1, 3})), config));
    }

    // "Beyond the 80/20 rule": only the highest-entropy share of the trained tokens is trained on;
    // the others still count in the normaliser.
    void topEntropyTokens()
    {
        QCOMPARE(topEntropyThreshold(d({0.1, 0.9, 0.5, 0.3, 0.2}, {5}), 0.2), 0.9); // 1 of 5
        QCOMPARE(topEntropyThreshold(d({0.1, 0.9, 0.5, 0.3, 0.2}, {5}), 0.5), 0.3); // 3 of 5, rounded up
        // Four trained tokens with entropies 0.1, 0.9, 0.5, 0.3 and a padded one with 5.0; half is
        // the two at 0.9 and 0.5.
        const at::Tensor lp = d({-0.1, -0.2, -0.3, -0.4, -0.5, 0, 0, 0, 0, 0}, {2, 5}).requires_grad_(true);
        const at::Tensor oldLp = d({0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {2, 5});
        const at::Tensor entropy = d({0.1, 0.9, 0.5, 0.3, 5.0, 0, 0, 0, 0, 0}, {2, 5});
        const at::Tensor mask = d({1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, {2, 5});
        const core::GrpoObjective config{.beta = 0, .top_entropy_quantile = 0.5};
        const auto out = grpoLoss(in(lp, oldLp, {}, d({1.0, 0.0}, {2}), mask, entropy), config);
        QVERIFY(near(out.loss.item<double>(), -(std::exp(-0.2) + std::exp(-0.3)) / 4.0));
        out.loss.backward();
        QCOMPARE(lp.grad()[0][0].item<double>(), 0.0);
        QVERIFY(near(lp.grad()[0][1].item<double>(), -std::exp(-0.2) / 4.0));
        QCOMPARE(lp.grad()[0][3].item<double>(), 0.0);
        // A batch's threshold, given, overrides the call's own.
        const double onlyTop = grpoLoss(in(lp, oldLp, {}, d({1.0, 0.0}, {2}), mask, entropy), config,
                                        {.tokens = 4, .sequences = 2, .entropyThreshold = 0.9})
                                   .loss.item<double>();
        QVERIFY(near(onlyTop, -std::exp(-0.2) / 4.0));
    }

    // Truncated importance sampling for the sampler/trainer mismatch (Yao et al. 2025): weights
    // min(exp(trainer - sampler), cap) per token or per sequence, scaling the policy term only.
    void mismatchCorrection()
    {
        const at::Tensor trainer = d({-1.0, -2.0, -0.5, -3.0}, {2, 2});
        const at::Tensor sampler = d({-1.5, -1.9, -0.5, 0.0}, {2, 2});
        const at::Tensor sampled = d({1, 1, 1, 0}, {2, 2}); // the last position's is unknown
        core::GrpoObjective config;
        QVERIFY(!mismatchWeights(trainer, sampler, sampled, config).defined()); // none: today's loss
        config.mismatch_correction = core::MismatchCorrection::Token;
        config.mismatch_cap = 1.5;
        const at::Tensor token = mismatchWeights(trainer, sampler, sampled, config);
        const std::vector<double> tokenWant = {1.5, std::exp(-0.1), 1.0, 1.0}; // e^0.5 = 1.65 capped
        for (int64_t i = 0; i < 4; ++i)
            QVERIFY(near(token.view({-1})[i].item<double>(), tokenWant[size_t(i)]));
        config.mismatch_correction = core::MismatchCorrection::Sequence; // exp(0.5 - 0.1), exp(0)
        const at::Tensor sequence = mismatchWeights(trainer, sampler, sampled, config);
        const std::vector<double> sequenceWant = {std::exp(0.4), std::exp(0.4), 1.0, 1.0};
        for (int64_t i = 0; i < 4; ++i)
            QVERIFY(near(sequence.view({-1})[i].item<double>(), sequenceWant[size_t(i)]));
        config.mismatch_cap = 1.2;
        QVERIFY(near(mismatchWeights(trainer, sampler, sampled, config)[0][1].item<double>(), 1.2));

        // Masked importance sampling: the ratio where it is at most the cap, 0 where it exceeds it.
        config.mismatch_cap = 1.5;
        config.mismatch_correction = core::MismatchCorrection::TokenMask;
        const at::Tensor tokenMask = mismatchWeights(trainer, sampler, sampled, config);
        const std::vector<double> tokenMaskWant = {0.0, std::exp(-0.1), 1.0, 1.0}; // e^0.5 > 1.5: dropped
        for (int64_t i = 0; i < 4; ++i)
            QVERIFY(near(tokenMask.view({-1})[i].item<double>(), tokenMaskWant[size_t(i)]));
        config.mismatch_correction = core::MismatchCorrection::SequenceMask; // e^0.4 = 1.49 kept
        const at::Tensor sequenceMask = mismatchWeights(trainer, sampler, sampled, config);
        for (int64_t i = 0; i < 4; ++i)
            QVERIFY(near(sequenceMask.view({-1})[i].item<double>(), sequenceWant[size_t(i)]));
        config.mismatch_cap = 1.4; // now the first sequence goes, the second stays
        const at::Tensor dropped = mismatchWeights(trainer, sampler, sampled, config);
        const std::vector<double> droppedWant = {0.0, 0.0, 1.0, 1.0};
        for (int64_t i = 0; i < 4; ++i)
            QVERIFY(near(dropped.view({-1})[i].item<double>(), droppedWant[size_t(i)]));

        // Ratio 1 everywhere: each token's policy term is -A times its weight; the k3 term is not
        // weighted.
        const at::Tensor lp = d({0, 0, 0, 0}, {2, 2}).requires_grad_(true);
        const at::Tensor ref = d({0.1, 0, 0, 0}, {2, 2});
        const at::Tensor adv = d({1.0, -2.0}, {2});
        const at::Tensor mask = d({1, 1, 1, 0}, {2, 2});
        core::GrpoObjective objective;
        objective.beta = 0.1;
        GrpoTokens tokens = in(lp, lp.detach(), ref, adv, mask);
        const double plain = grpoLoss(tokens, objective).loss.item<double>();
        tokens.weights = d({1.5, std::exp(-0.1), 1.0, 1.0}, {2, 2});
        const auto out = grpoLoss(tokens, objective);
        const double k3 = objective.beta * (std::exp(0.1) - 0.1 - 1);
        QVERIFY(std::abs(out.loss.item<double>() - (-(1.5 + std::exp(-0.1) - 2.0) + k3) / 3.0) < 1e-6);
        out.loss.backward();
        QVERIFY(std::abs(lp.grad()[0][0].item<double>() - (-1.5 - objective.beta * (std::exp(0.1) - 1)) / 3.0) < 1e-6);
        tokens.weights = at::ones_like(lp); // weights of 1 are the uncorrected loss exactly
        QCOMPARE(grpoLoss(tokens, objective).loss.item<double>(), plain);
    }

    // The sampler's experts, replayed, route the training forward exactly as they say: replaying
    // a model's own choice changes nothing, and a drifted model follows the recording where there
    // is one and its router elsewhere.
    void routingReplay()
    {
        torch::manual_seed(11);
        const auto config = core::ModelConfig::fromJson({{"model_type", "deepseek_v3"},
                                                         {"vocab_size", 64},
                                                         {"hidden_size", 32},
                                                         {"intermediate_size", 64},
                                                         {"moe_intermediate_size", 16},
                                                         {"num_hidden_layers", 3},
                                                         {"first_k_dense_replace", 1},
                                                         {"num_attention_heads", 2},
                                                         {"num_key_value_heads", 2},
                                                         {"q_lora_rank", nullptr},
                                                         {"kv_lora_rank", 16},
                                                         {"qk_nope_head_dim", 8},
                                                         {"qk_rope_head_dim", 8},
                                                         {"v_head_dim", 8},
                                                         {"n_routed_experts", 8},
                                                         {"num_experts_per_tok", 2},
                                                         {"n_group", 1},
                                                         {"topk_group", 1},
                                                         {"n_shared_experts", 1}},
                                                        "replay");
        torch::NoGradGuard noGrad;
        core::Transformer sampler(config, at::kFloat, at::kCPU);
        const int64_t B = 2, T = 10, K = 2, layers = 2;
        const at::Tensor ids = torch::randint(64, {B, T}, torch::kLong);
        const core::ForwardOutput sampled = sampler.forward(ids);
        QCOMPARE(sampled.routedExperts.size(), size_t(layers));

        // Records as the generator keeps them, [position][MoE layer][k]; row 1 only to position 6.
        std::vector<std::vector<int16_t>> records(B);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < (b == 0 ? T : 6); ++t)
                for (int64_t l = 0; l < layers; ++l)
                    for (int64_t k = 0; k < K; ++k)
                        records[size_t(b)].push_back(
                            int16_t(sampled.routedExperts[size_t(l)][b * T + t][k].item<int64_t>()));
        const core::ExpertReplay replay = expertReplay({&records[0], &records[1]}, T, config, at::kCPU);
        QCOMPARE(replay.recorded.sum().item<int64_t>(), T + 6);
        QVERIFY(torch::equal(sampler.forward(ids, {.replay = &replay}).logits, sampled.logits));
        QCOMPARE(compareRouting(sampled.routedExperts, replay).differing, 0.0);
        QCOMPARE(compareRouting(sampled.routedExperts, replay).decisions, double(layers * (T + 6)));

        // The trainer after a few updates: its router would send some tokens elsewhere.
        core::Transformer trainer = sampler.clone();
        for (auto& [name, p] : trainer.namedParameters())
            if (name.find("mlp.gate.weight") != std::string::npos)
                p.add_(torch::randn_like(p) * 0.5);
        const core::ForwardOutput own = trainer.forward(ids);
        const RoutingComparison drift = compareRouting(own.routedExperts, replay);
        QVERIFY2(drift.differing > 0, "the perturbed router should choose differently somewhere");
        const core::ForwardOutput replayed = trainer.forward(ids, {.replay = &replay});
        QCOMPARE(compareRouting(replayed.routedExperts, replay).differing, 0.0);
        QVERIFY(!torch::equal(replayed.logits, own.logits));
        // Unrecorded positions: the trainer's own choice. In the first MoE layer their input is
        // untouched by replay; deeper ones attend to replayed positions.
        QVERIFY(torch::equal(replayed.routedExperts[0].narrow(0, T + 6, 4), own.routedExperts[0].narrow(0, T + 6, 4)));

        core::ExpertReplay oneLayer = replay;
        oneLayer.experts.pop_back();
        QVERIFY_THROWS_EXCEPTION(core::Error, trainer.forward(ids, {.replay = &oneLayer}));
        std::vector<int16_t> torn = records[0];
        torn.pop_back(); // not a whole position
        QVERIFY_THROWS_EXCEPTION(core::Error, expertReplay({&torn}, T, config, at::kCPU));
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
