// The series model behind a curve: the debiased EMA against a hand computation, live appends
// that continue it, line breaks across a stage without the metric, downsampled reads and zooms.

#include "core/store/metric_names.h"
#include "core/store/metric_series.h"
#include "core/store/run_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace thinkbench::core;

namespace {

const std::string kReward(metric::kRewardMean);
const std::string kLoss(metric::kLoss);

// Steps firstStep.. of `key`, one second apart from t = 1000 + step.
void write(RunStore& store, int64_t run, int stage, const std::string& key, const std::vector<double>& values,
           int64_t firstStep)
{
    std::vector<MetricPoint> points;
    for (size_t i = 0; i < values.size(); ++i) {
        const int64_t step = firstStep + int64_t(i);
        points.push_back({run, stage, step, key, values[i], 1000.0 + double(step)});
    }
    store.appendMetrics(points);
}

std::vector<int64_t> steps(const MetricSeries& series)
{
    std::vector<int64_t> out;
    for (const auto& p : series.points())
        out.push_back(p.step);
    return out;
}

std::vector<double> values(const MetricSeries& series)
{
    std::vector<double> out;
    for (const auto& p : series.points())
        out.push_back(p.value);
    return out;
}

} // namespace

class TestMetricSeries : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    int stores_ = 0;
    std::unique_ptr<RunStore> newStore()
    {
        return std::make_unique<RunStore>(dir_.filePath(QStringLiteral("s%1.sqlite").arg(++stores_)).toStdString());
    }

private slots:
    void emaIsDebiased()
    {
        // last = 0.5, 1.25, 2.125, 3.5625, each divided by 1 - 0.5^n.
        const auto smoothed = debiasedEma({1, 2, 3, 5}, 0.5);
        QCOMPARE(smoothed.size(), size_t(4));
        QCOMPARE(smoothed[0], 1.0); // the first point is itself, not pulled toward 0
        QVERIFY(std::abs(smoothed[1] - 1.25 / 0.75) < 1e-12);
        QVERIFY(std::abs(smoothed[2] - 2.125 / 0.875) < 1e-12);
        QVERIFY(std::abs(smoothed[3] - 3.5625 / 0.9375) < 1e-12);

        // A non-finite value passes through and does not count.
        const auto gap = debiasedEma({1, 2, std::nan(""), 3}, 0.5);
        QVERIFY(std::isnan(gap[2]));
        QVERIFY(std::abs(gap[3] - 2.125 / 0.875) < 1e-12);

        // Weight 0 is no smoothing.
        QCOMPARE(debiasedEma({4, -1, 7}, 0), (std::vector<double>{4, -1, 7}));
    }

    void appendsOnlyNewPointsAndContinuesTheEma()
    {
        auto store = newStore();
        const int64_t run = store->createRun("live", "");
        store->beginStage(run, 0, "grpo", "rl", "{}");
        write(*store, run, 0, kReward, {0.1, 0.4, 0.2, 0.5}, 1);

        MetricSeries series(run, kReward, 0.6);
        series.load(*store, 1000);
        QCOMPARE(steps(series), (std::vector<int64_t>{1, 2, 3, 4}));
        const auto before = series.smoothed();
        const uint64_t revision = series.revision();

        QCOMPARE(series.appendNew(*store, 1000), size_t(0));
        // Another connection writes, as the training process does.
        RunStore writer(store->path());
        write(writer, run, 0, kReward, {0.7, 0.6}, 5);
        QCOMPARE(series.appendNew(*store, 1000), size_t(2));
        QCOMPARE(steps(series), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(series.revision(), revision); // appended to, not replaced
        // Earlier values untouched; the whole as if smoothed in one pass.
        const auto& after = series.smoothed();
        QCOMPARE(std::vector<double>(after.begin(), after.begin() + 4), before);
        const auto whole = debiasedEma(values(series), 0.6);
        for (size_t i = 0; i < whole.size(); ++i)
            QVERIFY(std::abs(whole[i] - after[i]) < 1e-12);

        series.setSmoothing(0);
        QCOMPARE(series.smoothed(), values(series));
        QVERIFY(series.revision() != revision);
    }

    // Reward through the SFT between two GRPO stages breaks; loss, written in every stage, and
    // reward around an evaluation stamped with the step before it do not. Read in one pass or
    // followed live, the breaks are the same.
    void breaksLinesAcrossAStageWithoutTheMetric()
    {
        auto store = newStore();
        const int64_t run = store->createRun("pipeline", "");
        store->beginStage(run, 0, "grpo", "rl", "{}");
        write(*store, run, 0, kReward, {0.1, 0.2, 0.3}, 1);
        write(*store, run, 0, kLoss, {1.0, 0.9, 0.8}, 1);
        MetricSeries live(run, kReward, 0.5);
        live.load(*store, 1000);
        QVERIFY(live.breaks().empty());

        write(*store, run, 0, kReward, {0.4, 0.5}, 4);
        write(*store, run, 0, kLoss, {0.7, 0.6}, 4);
        store->beginStage(run, 1, "eval", "eval-rl", "{}");
        write(*store, run, 1, std::string(metric::kEvalPass1), {0.5}, 5);
        store->beginStage(run, 2, "sft", "rs-sft", "{}");
        write(*store, run, 2, kLoss, {0.5, 0.45, 0.4, 0.35, 0.3}, 6);
        store->beginStage(run, 3, "grpo", "rl-2", "{}");
        write(*store, run, 3, kReward, {0.7, 0.8, 0.9}, 11);
        write(*store, run, 3, kLoss, {0.2, 0.19, 0.18}, 11);
        QCOMPARE(live.appendNew(*store, 1000), size_t(5));

        MetricSeries reward(run, kReward, 0.5), loss(run, kLoss, 0.5);
        reward.load(*store, 1000);
        loss.load(*store, 1000);
        for (const MetricSeries* s : {&live, &reward}) {
            QCOMPARE(steps(*s), (std::vector<int64_t>{1, 2, 3, 4, 5, 11, 12, 13}));
            QCOMPARE(s->breaks(), std::vector<size_t>{5}); // between step 5 and step 11
        }
        QCOMPARE(loss.points().size(), size_t(13));
        QVERIFY(loss.breaks().empty());
    }

    void downsamplesAndZoomsIntoARange()
    {
        auto store = newStore();
        const int64_t run = store->createRun("long", "");
        store->beginStage(run, 0, "grpo", "rl", "{}");
        std::vector<double> v(50000);
        for (size_t i = 0; i < v.size(); ++i)
            v[i] = std::sin(double(i) / 300.0) + (i % 997 == 0 ? 5 : 0);
        write(*store, run, 0, kReward, v, 1);

        MetricSeries series(run, kReward, 0.6);
        series.load(*store, 4000);
        const size_t coarse = series.points().size();
        QVERIFY2(coarse <= 4000, qPrintable(QString::number(coarse)));
        QCOMPARE(series.points().front().value, v.front());
        // Spikes survive the downsampling.
        const auto top = std::max_element(series.points().begin(), series.points().end(),
                                          [](auto& a, auto& b) { return a.value < b.value; });
        QVERIFY(top->value > 5);

        series.zoomToSteps(*store, 1000, 1500, 4000);
        QVERIFY(series.zoomed());
        const auto all = steps(series);
        QCOMPARE(std::count_if(all.begin(), all.end(), [](int64_t s) { return s >= 1000 && s <= 1500; }),
                 501L);                                    // every step of the range
        QVERIFY(all.front() < 1000 && all.back() > 49000); // the rest stays coarse, for panning
        QVERIFY(std::is_sorted(all.begin(), all.end()));
        QCOMPARE(series.smoothed().size(), all.size());

        // By wall time: steps 2000..2100 were written at t = 3000..3100.
        series.zoomToWallTimes(*store, 3000, 3100, 4000);
        const auto timed = steps(series);
        QVERIFY(std::count_if(timed.begin(), timed.end(), [](int64_t s) { return s >= 2000 && s <= 2100; }) >= 101);

        series.unzoom(*store);
        QCOMPARE(series.points().size(), coarse);
        // Zooming out past both ends is no zoom at all.
        series.zoomToSteps(*store, -1e300, 1e300, 4000);
        QVERIFY(!series.zoomed());
    }

    void rereadsASeriesThatOutgrewItsBudget()
    {
        auto store = newStore();
        const int64_t run = store->createRun("growing", "");
        store->beginStage(run, 0, "grpo", "rl", "{}");
        write(*store, run, 0, kLoss, std::vector<double>(100, 1.0), 1);
        MetricSeries series(run, kLoss);
        series.load(*store, 100);
        const uint64_t revision = series.revision();
        // Each poll appends up to the budget; the third brings the series past 3 × 100 points.
        for (int64_t poll = 0; poll < 3; ++poll) {
            write(*store, run, 0, kLoss, std::vector<double>(100, 2.0), 101 + 100 * poll);
            QCOMPARE(series.appendNew(*store, 100), size_t(100));
        }
        QVERIFY(series.revision() != revision);
        QVERIFY2(series.points().size() <= 100, qPrintable(QString::number(series.points().size())));
        QCOMPARE(series.points().back().step, int64_t(400));
    }
};

QTEST_GUILESS_MAIN(TestMetricSeries)
#include "tst_metric_series.moc"
