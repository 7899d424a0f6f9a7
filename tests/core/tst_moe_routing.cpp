// MoE routing: the fused CUDA kernels' steps (routing_steps.h), run on the CPU exactly as each GPU
// thread runs them, against the ATen reference the model uses (moe_routing.cpp); on a machine
// with a GPU, the kernels themselves against the same reference.

#include "core/cuda/cuda_plugin.h"
#include "core/cuda/cuda_support.h"
#include "core/model/cuda/routing_steps.h"
#include "core/model/moe_routing.h"

#include <torch/torch.h>

#include <QStandardPaths>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace thinkbench::core;
using cuda::RouterParams;

namespace {

// The gap, in double precision, at each boundary the router decides on (kept vs dropped group,
// chosen vs unchosen expert). Where it is within float rounding, the reference and the kernel may
// both be right and differ, so the test draws such tokens again.
double decisionMargin(const float* logits, const float* bias, const RouterParams& p)
{
    std::vector<double> score(p.experts), choice(p.experts);
    double maxLogit = -INFINITY, sum = 0;
    for (int e = 0; e < p.experts; ++e)
        maxLogit = std::max(maxLogit, double(logits[e]));
    for (int e = 0; e < p.experts; ++e)
        sum += std::exp(logits[e] - maxLogit);
    for (int e = 0; e < p.experts; ++e) {
        score[e] = p.softmax ? std::exp(logits[e] - maxLogit) / sum : 1 / (1 + std::exp(-double(logits[e])));
        choice[e] = score[e] + bias[e];
    }
    auto gapAt = [](std::vector<double> v, int k) -> double {
        if (k <= 0 || k >= int(v.size()))
            return INFINITY;
        std::sort(v.begin(), v.end(), std::greater<>());
        return v[k - 1] - v[k];
    };
    double margin = INFINITY;
    const int perGroup = p.experts / p.groups;
    std::vector<bool> kept(p.groups, true);
    if (p.groups > 1) {
        std::vector<double> groupScore(p.groups);
        for (int g = 0; g < p.groups; ++g) {
            std::vector<double> members(choice.begin() + g * perGroup, choice.begin() + (g + 1) * perGroup);
            std::sort(members.begin(), members.end(), std::greater<>());
            groupScore[g] = members[0] + (perGroup > 1 ? members[1] : 0.0);
        }
        margin = std::min(margin, gapAt(groupScore, p.keptGroups));
        std::vector<double> sorted = groupScore;
        std::sort(sorted.begin(), sorted.end(), std::greater<>());
        for (int g = 0; g < p.groups; ++g)
            kept[g] = groupScore[g] >= sorted[p.keptGroups - 1];
    }
    std::vector<double> masked(p.experts);
    for (int e = 0; e < p.experts; ++e)
        masked[e] = kept[e / perGroup] ? choice[e] : 0.0;
    margin = std::min(margin, gapAt(masked, p.topK));
    for (int k = 1; k < p.topK; ++k) // order of the chosen ones
        margin = std::min(margin, gapAt(masked, k));
    return margin;
}

struct RandomRouting {
    at::Tensor logits; // [N, E]
    at::Tensor bias;   // [E]
};

// Logits and biases wide enough that the bias and the group limit change choices, with every
// decision clear of float rounding.
RandomRouting randomRouting(const RouterParams& p, int64_t tokens, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> logit(0.0f, 2.0f), biasValue(0.0f, 0.3f);
    RandomRouting r{at::empty({tokens, p.experts}), at::empty({p.experts})};
    float* bias = r.bias.data_ptr<float>();
    for (int e = 0; e < p.experts; ++e)
        bias[e] = biasValue(rng);
    for (int64_t t = 0; t < tokens; ++t) {
        float* row = r.logits.data_ptr<float>() + t * p.experts;
        do {
            for (int e = 0; e < p.experts; ++e)
                row[e] = logit(rng);
        } while (decisionMargin(row, bias, p) < 1e-5);
    }
    return r;
}

// routeToken for every token, as the kernel's threads do.
std::pair<at::Tensor, at::Tensor> routeOnHost(const RandomRouting& r, const RouterParams& p)
{
    const int64_t tokens = r.logits.size(0);
    at::Tensor experts = at::empty({tokens, p.topK}, at::kLong), weights = at::empty({tokens, p.topK});
    for (int64_t t = 0; t < tokens; ++t)
        cuda::routeToken(r.logits.data_ptr<float>() + t * p.experts, r.bias.data_ptr<float>(), p,
                         experts.data_ptr<int64_t>() + t * p.topK, weights.data_ptr<float>() + t * p.topK);
    return {experts, weights};
}

// The three permutation steps, each loop standing for the threads of one kernel.
std::pair<at::Tensor, at::Tensor> permuteOnHost(const at::Tensor& experts, int32_t numExperts)
{
    const at::Tensor flat = experts.reshape({-1}).contiguous();
    const int64_t slotCount = flat.size(0), chunks = cuda::chunkCount(slotCount);
    std::vector<int32_t> counts(static_cast<size_t>(chunks * numExperts), 0);
    std::vector<int64_t> starts(counts.size());
    at::Tensor order = at::empty({slotCount}, at::kLong), expertCounts = at::empty({numExperts}, at::kLong);
    for (int64_t c = 0; c < chunks; ++c)
        cuda::countChunk(flat.data_ptr<int64_t>(), slotCount, c, numExperts, counts.data());
    for (int32_t e = 0; e < numExperts; ++e)
        cuda::placeExpert(counts.data(), chunks, numExperts, e, expertCounts.data_ptr<int64_t>(), starts.data());
    for (int64_t c = 0; c < chunks; ++c)
        cuda::scatterChunk(flat.data_ptr<int64_t>(), slotCount, c, numExperts, starts.data(),
                           order.data_ptr<int64_t>());
    return {order, expertCounts};
}

int differingRows(const at::Tensor& a, const at::Tensor& b)
{
    return (a != b).any(-1).sum().item<int>();
}

void addRouterRows()
{
    QTest::addColumn<int>("experts");
    QTest::addColumn<int>("topK");
    QTest::addColumn<int>("groups");
    QTest::addColumn<int>("keptGroups");
    QTest::addColumn<bool>("softmax");
    QTest::addColumn<bool>("normalize");
    QTest::addColumn<float>("scale");
    QTest::newRow("DeepSeek-V3: 256 experts, top-8, 8 groups keep 4") << 256 << 8 << 8 << 4 << false << true << 2.5f;
    QTest::newRow("64 experts, top-6, 8 groups keep 3") << 64 << 6 << 8 << 3 << false << true << 2.5f;
    QTest::newRow("8 experts, top-2, 4 groups keep 2") << 8 << 2 << 4 << 2 << false << true << 2.5f;
    QTest::newRow("one expert per group") << 8 << 2 << 8 << 3 << false << true << 1.0f;
    QTest::newRow("three experts per group") << 12 << 3 << 4 << 2 << false << false << 1.5f;
    QTest::newRow("softmax, no groups, not renormalised") << 60 << 4 << 1 << 1 << true << false << 1.0f;
    QTest::newRow("softmax with groups") << 32 << 4 << 4 << 2 << true << true << 1.0f;
    QTest::newRow("top-1") << 16 << 1 << 1 << 1 << false << true << 1.0f;
    QTest::newRow("top-16") << 64 << 16 << 2 << 2 << false << true << 1.0f;
}

// The current row of addRouterRows().
RouterParams fetchRouterParams()
{
    QFETCH(int, experts);
    QFETCH(int, topK);
    QFETCH(int, groups);
    QFETCH(int, keptGroups);
    QFETCH(bool, softmax);
    QFETCH(bool, normalize);
    QFETCH(float, scale);
    return {experts, topK, groups, keptGroups, softmax, normalize, scale};
}

} // namespace

class TestMoeRouting : public QObject {
    Q_OBJECT

private slots:
    // As the mains do: ATen decides at its first question about CUDA whether there is any, so the
    // plugin loads before the CPU slots' torch calls (else a GPU machine skipped the GPU slots).
    void initTestCase() { cudaStatus(); }

    void routerStepsMatchReference_data() { addRouterRows(); }

    // The kernel's per-token step chooses the reference's experts in the reference's order, with
    // its weights.
    void routerStepsMatchReference()
    {
        const RouterParams p = fetchRouterParams();
        const RandomRouting r = randomRouting(p, 3000, 20261201 + p.experts * 31 + p.topK);
        const Routing reference = routeTokens(r.logits, r.bias, p);
        const auto [hostExperts, hostWeights] = routeOnHost(r, p);

        QCOMPARE(differingRows(hostExperts, reference.experts), 0);
        const double weightError = (hostWeights - reference.weights).abs().max().item<double>();
        QVERIFY2(weightError < 1e-6 * std::max(1.0f, p.scale), qPrintable(QString::number(weightError)));
        if (p.normalize)
            QVERIFY(at::allclose(reference.weights.sum(-1), at::full({3000}, p.scale), 1e-5, 1e-5));

        // The inputs exercise what is tested: the bias, and the group limit, change choices.
        const Routing unbiased = routeTokens(r.logits, at::zeros_like(r.bias), p);
        QVERIFY(differingRows(unbiased.experts, reference.experts) > 30);
        // With one expert per group, keeping the best groups keeps the best experts: no change.
        if (p.groups > 1 && p.keptGroups < p.groups && p.experts / p.groups > 1) {
            const Routing ungrouped =
                routeTokens(r.logits, r.bias, RouterParams{p.experts, p.topK, 1, 1, p.softmax, p.normalize, p.scale});
            QVERIFY(differingRows(ungrouped.experts, reference.experts) > 30);
        }
    }

    void permutationStepsMatchReference_data()
    {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("topK");
        QTest::addColumn<int>("experts");
        QTest::addColumn<QString>("spread");
        QTest::newRow("no tokens") << 0 << 2 << 8 << "uniform";
        QTest::newRow("one slot") << 1 << 1 << 8 << "uniform";
        QTest::newRow("one chunk less one") << 85 << 3 << 8 << "uniform";
        QTest::newRow("exactly one chunk") << 128 << 2 << 16 << "uniform";
        QTest::newRow("one chunk and one slot") << 257 << 1 << 16 << "uniform";
        QTest::newRow("DeepSeek-V3 shape") << 2048 << 8 << 256 << "uniform";
        QTest::newRow("all to one expert") << 700 << 1 << 64 << "one";
        QTest::newRow("skewed, most experts empty") << 1500 << 4 << 64 << "skewed";
    }

    // Slots in order of expert, stable within an expert, and the count per expert.
    void permutationStepsMatchReference()
    {
        QFETCH(int, tokens);
        QFETCH(int, topK);
        QFETCH(int, experts);
        QFETCH(QString, spread);
        at::manual_seed(tokens * 7 + experts);
        at::Tensor chosen;
        if (spread == "uniform")
            chosen = at::randint(experts, {tokens, topK}, at::kLong);
        else if (spread == "one")
            chosen = at::full({tokens, topK}, experts - 1, at::kLong);
        else
            chosen = at::randint(4, {tokens, topK}, at::kLong).pow(2); // 0, 1, 4, 9
        const TokenPermutation reference = permuteTokens(chosen, experts);
        const auto [order, counts] = permuteOnHost(chosen, experts);
        QVERIFY(at::equal(order, reference.order));
        QVERIFY(at::equal(counts, reference.counts));
        QCOMPARE(counts.sum().item<int64_t>(), int64_t(tokens) * topK);
        // Sorted by expert, slots rising within each expert.
        const at::Tensor sortedExperts = chosen.reshape({-1}).index_select(0, order);
        if (tokens > 1) {
            const at::Tensor step = sortedExperts.slice(0, 1) - sortedExperts.slice(0, 0, -1);
            QVERIFY((step >= 0).all().item<bool>());
            const at::Tensor sameExpert = step == 0;
            QVERIFY((order.slice(0, 1) > order.slice(0, 0, -1)).masked_select(sameExpert).all().item<bool>());
        }
    }

    // Where nvcc is (every project machine and CI), the CUDA plugin must load, GPU or not, and
    // hold the kernels.
    void kernelsBuiltWhereNvccIs()
    {
        if (QStandardPaths::findExecutable("nvcc").isEmpty())
            QSKIP("no nvcc on this machine");
        const cuda::CudaPlugin& plugin = cudaPlugin(); // throws, naming the library, where it does not load
        QVERIFY2(plugin.routeTokens && plugin.permuteTokens, "nvcc is here but the CUDA plugin has no routing kernels");
    }

    void kernelsMatchReferenceOnGpu_data() { addRouterRows(); }

    void kernelsMatchReferenceOnGpu()
    {
        if (!cudaAvailable())
            QSKIP(("no GPU: " + cudaStatus().reason).c_str());
        const RouterParams p = fetchRouterParams();
        const RandomRouting r = randomRouting(p, 3000, 20261201 + p.experts * 31 + p.topK);
        const Routing reference = routeTokens(r.logits, r.bias, p);
        qputenv("THINKBENCH_CUDA_KERNELS", "1"); // read once, at the first use on CUDA: this one
        QVERIFY(fusedRoutingKernelsEnabled());
        const at::Tensor logits = r.logits.cuda(), bias = r.bias.cuda();
        const Routing fused = routeTokens(logits, bias, p);
        QCOMPARE(differingRows(fused.experts.cpu(), reference.experts), 0);
        QVERIFY((fused.weights.cpu() - reference.weights).abs().max().item<double>() < 1e-6 * std::max(1.0f, p.scale));

        const TokenPermutation permutation = permuteTokens(fused.experts, p.experts);
        const TokenPermutation cpuPermutation = permuteTokens(reference.experts, p.experts);
        QVERIFY(at::equal(permutation.order.cpu(), cpuPermutation.order));
        QVERIFY(at::equal(permutation.counts, cpuPermutation.counts));
    }
};

QTEST_GUILESS_MAIN(TestMoeRouting)
#include "tst_moe_routing.moc"
