// The curves panel against a run store filled here: reads off the GUI thread, overlays, metric
// families, debiased EMA, stage lines, live appends, zoom re-downsampling, CSV export, clicking a
// point, log scale and outliers, and an offscreen screenshot.

#include "core/store/metric_names.h"
#include "core/store/metric_series.h"
#include "core/store/run_store.h"
#include "widgets/curves_panel.h"
#include "widgets/dashboard/metric_families.h"

#include <qcustomplot.h>

#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace thinkbench;
using thinkbench::widgets::CurvesPanel;

namespace {

constexpr double kStepSeconds = 1.5;

// Writes `values` as steps 1..n of `key`, with wall times kStepSeconds apart from the run start.
void writeSeries(core::RunStore& store, int64_t run, const std::string& key, const std::vector<double>& values,
                 int64_t firstStep = 1)
{
    const double start = store.run(run)->createdAt;
    std::vector<core::MetricPoint> points;
    for (size_t i = 0; i < values.size(); ++i) {
        const int64_t step = firstStep + int64_t(i);
        points.push_back({run, step > 10 ? 1 : 0, step, key, values[i], start + kStepSeconds * double(step)});
    }
    store.appendMetrics(points);
}

std::vector<double> ramp(int n, double from, double slope)
{
    std::vector<double> out;
    for (int i = 0; i < n; ++i)
        out.push_back(from + slope * i);
    return out;
}

} // namespace

class CurvesTest : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        const QString path = dir_.filePath(QStringLiteral("runs-%1.sqlite").arg(++storeCount_));
        store_ = std::make_unique<core::RunStore>(path.toStdString());
        runA_ = store_->createRun("alpha", "");
        runB_ = store_->createRun("beta", "");
        for (int64_t run : {runA_, runB_}) {
            store_->beginStage(run, 0, "pretrain", "base", "{}");
            store_->beginStage(run, 1, "grpo", "rl", "{}");
        }
        // Steps 1..10 belong to stage 0 ("base"), 11..20 to stage 1 ("rl").
        writeSeries(*store_, runA_, "reward/mean", ramp(20, 0.1, 0.02));
        writeSeries(*store_, runA_, "loss", ramp(20, 3.0, -0.1));
        writeSeries(*store_, runA_, "length/mean", ramp(20, 40, 2));
        writeSeries(*store_, runA_, "heldout/pass1", ramp(20, 0.0, 0.01));
        writeSeries(*store_, runA_, "moe/layer1/load_cv", ramp(20, 0.5, -0.01));
        writeSeries(*store_, runB_, "reward/mean", ramp(20, 0.2, 0.01));
    }

    void cleanup() { store_.reset(); }

    // Choosing runs and metrics returns at once; the series arrive from the worker thread and
    // are drawn when the GUI thread next gets to them. The store may go meanwhile: the panel
    // reads its file through a connection of its own.
    void readsOffTheGuiThread()
    {
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("loss")});
        QCOMPARE(panel.plot()->graphCount(), 0); // nothing read on this thread yet
        store_.reset();
        QTRY_COMPARE(panel.plot()->graphCount(), 2);
        QCOMPARE(panel.plot()->graph(0)->dataCount(), 20);
        QCOMPARE(panel.pointCount(runA_, QStringLiteral("loss")), 20);
    }

    void groupsMetricsIntoFamilies()
    {
        using F = widgets::MetricFamily;
        using widgets::metricFamily;
        QCOMPARE(metricFamily("reward/accuracy"), F::Reward);
        QCOMPARE(metricFamily("zero_adv_groups"), F::Reward);
        QCOMPARE(metricFamily("accuracy"), F::Accuracy);
        QCOMPARE(metricFamily("heldout/pass1"), F::Accuracy);
        QCOMPARE(metricFamily("eval/cons_at_k"), F::Accuracy);
        QCOMPARE(metricFamily("length/mean"), F::Length);
        QCOMPARE(metricFamily("kl"), F::KlEntropyClip);
        QCOMPARE(metricFamily("entropy"), F::KlEntropyClip);
        QCOMPARE(metricFamily("clip/high"), F::KlEntropyClip);
        QCOMPARE(metricFamily("mismatch/routing"), F::KlEntropyClip);
        QCOMPARE(metricFamily("moe/layer1/load_cv"), F::Experts);
        QCOMPARE(metricFamily("time/step"), F::Throughput);
        QCOMPARE(metricFamily("tokens_per_s"), F::Throughput);
        QCOMPARE(metricFamily(QString::fromStdString(core::metric::distRankTokensPerSecond(1))), F::Distributed);
        QCOMPARE(metricFamily("dist/comm_seconds"), F::Distributed);
        QCOMPARE(metricFamily("loss"), F::Optimisation);
        QCOMPARE(metricFamily("grad_norm"), F::Optimisation);
        QCOMPARE(metricFamily("rs/kept"), F::RejectionSampling);
        QCOMPARE(metricFamily("custom"), F::Other);

        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        QCOMPARE(panel.availableMetrics().size(), 5);
        auto* list = panel.findChild<QListWidget*>(QStringLiteral("metricList"));
        QVERIFY(list);
        panel.setFamily(F::Experts);
        QCOMPARE(list->count(), 1);
        QCOMPARE(list->item(0)->text(), QStringLiteral("moe/layer1/load_cv"));
        panel.setFamily(std::nullopt);
        QCOMPARE(list->count(), 5);
        // With nothing chosen the headline metric is shown.
        QCOMPARE(panel.metrics(), QStringList{QStringLiteral("reward/mean")});
    }

    void overlaysRunsAndMetrics()
    {
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_, runB_});
        panel.setMetrics({QStringLiteral("reward/mean"), QStringLiteral("loss")});
        // beta has no loss: alpha × 2 metrics + beta × reward.
        QCOMPARE(panel.seriesCount(), 3);
        QCOMPARE(panel.plot()->graphCount(), 6); // raw + smoothed per series
        QCOMPARE(panel.plot()->legend->itemCount(), 3);
        QCOMPARE(panel.pointCount(runA_, QStringLiteral("loss")), 20);
        QCOMPARE(panel.pointCount(runB_, QStringLiteral("reward/mean")), 20);
        QCOMPARE(panel.pointCount(runB_, QStringLiteral("loss")), 0);
        // One colour per run, shared by its metrics; the smoothed graphs carry the legend names.
        QSet<QRgb> alpha, beta;
        for (int i = 0; i < panel.plot()->graphCount(); ++i) {
            const QCPGraph* graph = panel.plot()->graph(i);
            if (graph->name().contains(QStringLiteral("alpha")))
                alpha << graph->pen().color().rgb();
            else if (graph->name().contains(QStringLiteral("beta")))
                beta << graph->pen().color().rgb();
        }
        QCOMPARE(alpha.size(), 1);
        QCOMPARE(beta.size(), 1);
        QVERIFY(alpha != beta);

        panel.setRuns({runB_});
        QCOMPARE(panel.seriesCount(), 1);
        QCOMPARE(panel.plot()->graphCount(), 2);
    }

    void smoothsWithDebiasedEma()
    {
        writeSeries(*store_, runA_, "custom", {1, 2, 3, 5});
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("custom")});
        panel.setSmoothing(0.5);
        const QVector<double> smoothed = panel.smoothedValues(runA_, QStringLiteral("custom"));
        QCOMPARE(smoothed.size(), 4);
        // last = 0.5, 1.25, 2.125, 3.5625; debiased by 1 - 0.5^n.
        QCOMPARE(smoothed[0], 1.0);
        QVERIFY(std::abs(smoothed[1] - 1.25 / 0.75) < 1e-12);
        QVERIFY(std::abs(smoothed[2] - 2.125 / 0.875) < 1e-12);
        QVERIFY(std::abs(smoothed[3] - 3.5625 / 0.9375) < 1e-12);

        panel.setSmoothing(0);
        QCOMPARE(panel.smoothedValues(runA_, QStringLiteral("custom"))[2], 3.0);
        panel.setSmoothing(5); // clamped
        QCOMPARE(panel.smoothing(), 0.99);
    }

    void drawsStageBoundaries()
    {
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_, runB_});
        // Both runs start their stages at the same steps: one line each.
        QCOMPARE(panel.stageLineCount(), 2);
        QCOMPARE(panel.stageLabels(), (QStringList{QStringLiteral("base"), QStringLiteral("rl")}));
        auto* line = qobject_cast<QCPItemStraightLine*>(panel.plot()->item(panel.plot()->itemCount() - 2));
        QVERIFY(line);
        QCOMPARE(line->point1->coords().x(), 11.0);

        // In time each run's stages began at their own moment: a line per run and stage.
        panel.setXAxis(CurvesPanel::XAxis::WallTime);
        QCOMPARE(panel.stageLineCount(), 4);
        QVERIFY(panel.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>());
        panel.setXAxis(CurvesPanel::XAxis::RelativeTime);
        QCOMPARE(panel.xValues(runA_, QStringLiteral("reward/mean")).first(), kStepSeconds);
    }

    // A metric absent from a stage (reward during the SFT between two GRPO stages) leaves a gap
    // in the drawn lines instead of a line across the stage; a metric written on both sides of a
    // stage, or around an evaluation stamped with the step before it, stays joined. Clicks and
    // values keep one entry per point. Live, a poll that brings both sides of a gap breaks too.
    void breaksLinesAcrossStagesWithoutTheMetric()
    {
        const int64_t run = store_->createRun("gap", "");
        auto write = [&](core::RunStore& store, int stage, const std::string& key, const std::vector<double>& values,
                         int64_t firstStep) {
            std::vector<core::MetricPoint> points;
            for (size_t i = 0; i < values.size(); ++i)
                points.push_back({run, stage, firstStep + int64_t(i), key, values[i], 100.0 + double(i)});
            store.appendMetrics(points);
        };
        // rl: steps 1..5, eval stamped at 5, rs-sft 6..10, rl-2 from 11.
        store_->beginStage(run, 0, "grpo", "rl", "{}");
        write(*store_, 0, "reward/mean", ramp(3, 0.1, 0.1), 1);
        write(*store_, 0, "loss", ramp(3, 1.0, -0.1), 1);

        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({run});
        panel.setMetrics({QStringLiteral("reward/mean"), QStringLiteral("loss")});
        // One poll brings the end of the first GRPO stage, its evaluation, the SFT and the start
        // of the next GRPO stage.
        core::RunStore writer(store_->path());
        write(writer, 0, "reward/mean", {0.4, 0.5}, 4);
        write(writer, 0, "loss", {0.7, 0.6}, 4);
        writer.beginStage(run, 1, "eval", "eval-rl", "{}");
        write(writer, 1, "eval/pass1", {0.5}, 5);
        writer.beginStage(run, 2, "sft", "rs-sft", "{}");
        write(writer, 2, "loss", ramp(5, 0.5, -0.05), 6);
        writer.beginStage(run, 3, "grpo", "rl-2", "{}");
        write(writer, 3, "reward/mean", ramp(3, 0.7, 0.1), 11);
        write(writer, 3, "loss", ramp(3, 0.2, -0.01), 11);
        panel.refresh();

        const QString reward = QStringLiteral("reward/mean"), loss = QStringLiteral("loss");
        QCOMPARE(panel.pointCount(run, reward), 8);
        QCOMPARE(panel.xValues(run, reward).size(), 8);
        QCOMPARE(panel.pointCount(run, loss), 13);
        // Both graphs of a series (raw and smoothed): keys and how many breaks.
        auto graphs = [&](int points) {
            QList<std::pair<QVector<double>, int>> out;
            for (int g = 0; g < panel.plot()->graphCount(); ++g) {
                const auto data = panel.plot()->graph(g)->data();
                QVector<double> keys;
                int breaks = 0;
                for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
                    keys << it->key;
                    breaks += std::isnan(it->value);
                }
                if (keys.size() - breaks == points)
                    out.append({keys, breaks});
            }
            return out;
        };
        auto check = [&] {
            const auto rewardGraphs = graphs(8);
            QCOMPARE(rewardGraphs.size(), 2);
            for (const auto& [keys, breaks] : rewardGraphs) {
                QCOMPARE(breaks, 1);
                QCOMPARE(keys[5], 8.0); // halfway between steps 5 and 11
            }
            const auto lossGraphs = graphs(13);
            QCOMPARE(lossGraphs.size(), 2);
            for (const auto& graph : lossGraphs)
                QCOMPARE(graph.second, 0);
        };
        check();

        // Read again in one pass (as on opening the run): the same breaks.
        panel.setMetrics({});
        panel.setMetrics({reward, loss});
        panel.waitForData();
        check();
    }

    void appendsOnlyNewPointsLive()
    {
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("reward/mean")});
        QCOMPARE(panel.pointCount(runA_, QStringLiteral("reward/mean")), 20);
        const QVector<double> before = panel.smoothedValues(runA_, QStringLiteral("reward/mean"));

        panel.refresh(); // nothing new
        QCOMPARE(panel.pointCount(runA_, QStringLiteral("reward/mean")), 20);

        // Another connection writes five more steps, as the training process would.
        core::RunStore writer(store_->path());
        writeSeries(writer, runA_, "reward/mean", ramp(5, 0.6, 0.05), 21);
        panel.refresh();
        QCOMPARE(panel.pointCount(runA_, QStringLiteral("reward/mean")), 25);
        const QVector<double> x = panel.xValues(runA_, QStringLiteral("reward/mean"));
        QCOMPARE(x.last(), 25.0);
        // Earlier points untouched, the EMA continued as if computed in one pass.
        const QVector<double> after = panel.smoothedValues(runA_, QStringLiteral("reward/mean"));
        QCOMPARE(after.mid(0, 20), before);
        const QVector<double> raw = panel.rawValues(runA_, QStringLiteral("reward/mean"));
        const std::vector<double> whole = core::debiasedEma({raw.begin(), raw.end()}, panel.smoothing());
        for (size_t i = 0; i < whole.size(); ++i)
            QVERIFY(std::abs(whole[i] - after[qsizetype(i)]) < 1e-12);

        // The poll timer picks up writes by itself.
        panel.setLiveInterval(50);
        QCOMPARE(panel.liveInterval(), 50);
        writeSeries(writer, runA_, "reward/mean", {0.9}, 26);
        QTRY_COMPARE(panel.pointCount(runA_, QStringLiteral("reward/mean")), 26);
        panel.setLiveInterval(0);
    }

    void zoomRereadsTheVisibleRange()
    {
        std::vector<double> values(50000);
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = std::sin(double(i) / 300.0) + (i % 997 == 0 ? 5 : 0);
        writeSeries(*store_, runA_, "long", values);
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("long")});
        const int coarse = panel.pointCount(runA_, QStringLiteral("long"));
        QVERIFY2(coarse < 10000, qPrintable(QString::number(coarse)));
        QCOMPARE(panel.rawValues(runA_, QStringLiteral("long")).first(), values.front());

        panel.setXRange(1000, 1500);
        const QVector<double> x = panel.xValues(runA_, QStringLiteral("long"));
        const auto inRange = std::count_if(x.begin(), x.end(), [](double v) { return v >= 1000 && v <= 1500; });
        QCOMPARE(int(inRange), 501);                   // every step of the visible range
        QVERIFY(x.first() < 1000 && x.last() > 49000); // the rest stays, coarse, for panning

        panel.resetView();
        QCOMPARE(panel.pointCount(runA_, QStringLiteral("long")), coarse);
    }

    void exportsCsv()
    {
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("loss")});
        panel.setSmoothing(0);
        const QString path = dir_.filePath(QStringLiteral("curves.csv"));
        QVERIFY(panel.exportCsv(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 21);
        QCOMPARE(lines[0], QStringLiteral("step,time,run,metric,raw,smoothed"));
        const QStringList third = lines[3].split(',');
        QCOMPARE(third.size(), 6);
        QCOMPARE(third[0], QStringLiteral("3"));
        QVERIFY(std::abs(third[1].toDouble() - (store_->run(runA_)->createdAt + 3 * kStepSeconds)) < 1e-3);
        QCOMPARE(third[2].toLongLong(), runA_);
        QCOMPARE(third[3], QStringLiteral("loss"));
        QCOMPARE(third[4].toDouble(), 2.8);
        QCOMPARE(third[5].toDouble(), 2.8);

        const QString png = dir_.filePath(QStringLiteral("curves.png"));
        QVERIFY(panel.exportPng(png, 640, 400));
        QCOMPARE(QImage(png).width(), 640);
    }

    void clickingAPointEmitsItsStep()
    {
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("length/mean")});
        panel.resize(900, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.waitForData();
        panel.resetView();
        panel.plot()->replot();
        QSignalSpy clicked(&panel, &CurvesPanel::stepClicked);
        QCPGraph* raw = panel.plot()->graph(0);
        const QPointF at = raw->coordsToPixels(7, 40 + 2 * 6); // step 7
        QTest::mouseClick(panel.plot(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(0).toLongLong(), runA_);
        QCOMPARE(clicked.first().at(1).toLongLong(), 7);

        // Far from every curve: nothing.
        QTest::mouseClick(panel.plot(), Qt::LeftButton, {}, raw->coordsToPixels(7, 40 + 2 * 6 + 15).toPoint());
        QCOMPARE(clicked.count(), 1);

        panel.setCursorX(7);
        QVERIFY2(panel.readout().contains(QStringLiteral("step 7")), qPrintable(panel.readout()));
        QVERIFY(panel.readout().contains(QStringLiteral("52")));
    }

    // An evaluation's standard error is drawn as a band of ± one error around its curve, at the
    // steps that have one; the error series itself is not offered as a curve of its own.
    void errorBandAroundEvaluations()
    {
        const double start = store_->run(runA_)->createdAt;
        std::vector<core::MetricPoint> errors;
        for (int64_t step : {5, 10, 15, 20})
            errors.push_back({runA_, step > 10 ? 1 : 0, step, "heldout/pass1_stderr", 0.001 * double(step),
                              start + kStepSeconds * double(step)});
        store_->appendMetrics(errors);
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("heldout/pass1")});
        panel.waitForData();
        QCOMPARE(panel.plot()->graphCount(), 4); // raw, smoothed, band low, band high
        const QCPGraph* high = nullptr;
        for (int i = 0; i < panel.plot()->graphCount(); ++i)
            if (panel.plot()->graph(i)->channelFillGraph())
                high = panel.plot()->graph(i);
        QVERIFY(high);
        const QCPGraph* low = high->channelFillGraph();
        QCOMPARE(high->dataCount(), 4);
        QCOMPARE(low->dataCount(), 4);
        QVERIFY(high->brush().style() != Qt::NoBrush);
        for (int i = 0; i < 4; ++i) {
            const double step = 5.0 * (i + 1), value = 0.01 * (step - 1), error = 0.001 * step;
            QCOMPARE(high->data()->at(i)->key, step);
            QVERIFY(std::abs(high->data()->at(i)->value - (value + error)) < 1e-12);
            QVERIFY(std::abs(low->data()->at(i)->value - (value - error)) < 1e-12);
        }
        auto* list = panel.findChild<QListWidget*>(QStringLiteral("metricList"));
        for (int i = 0; i < list->count(); ++i)
            QVERIFY(!list->item(i)->text().endsWith(QStringLiteral("_stderr")));

        panel.setMetrics({QStringLiteral("loss")}); // no errors: no band
        panel.waitForData();
        QCOMPARE(panel.plot()->graphCount(), 2);
    }

    void logScaleAndOutliers()
    {
        std::vector<double> values = ramp(100, 1, 0.01);
        values[50] = 1000; // one spike
        writeSeries(*store_, runA_, "spiky", values);
        CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({runA_});
        panel.setMetrics({QStringLiteral("spiky")});
        panel.waitForData();
        QVERIFY(panel.plot()->yAxis->range().upper >= 1000);

        panel.setIgnoreOutliers(true);
        QVERIFY(panel.ignoreOutliers());
        QVERIFY2(panel.plot()->yAxis->range().upper < 3,
                 qPrintable(QString::number(panel.plot()->yAxis->range().upper)));
        panel.setIgnoreOutliers(false);
        QVERIFY(panel.plot()->yAxis->range().upper >= 1000);

        panel.setLogScale(true);
        QVERIFY(panel.logScale());
        QCOMPARE(panel.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(panel.plot()->yAxis->range().lower > 0);
        QVERIFY(panel.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
        panel.setLogScale(false);
        QCOMPARE(panel.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    }

    void rendersToPng()
    {
        // Two runs of a three-stage pipeline, loss and reward, noisy enough for smoothing to show.
        core::RunStore store(dir_.filePath(QStringLiteral("shot.sqlite")).toStdString());
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0, 1);
        QList<qint64> runs;
        for (int r = 0; r < 2; ++r) {
            const int64_t run = store.createRun(r == 0 ? "r1-zero" : "r1-cold-start", "");
            runs << run;
            const double start = store.run(run)->createdAt;
            const char* stages[][2] = {{"pretrain", "base"}, {"sft", "cold-start"}, {"grpo", "reasoning-rl"}};
            for (int s = 0; s < 3; ++s)
                store.beginStage(run, s, stages[s][0], stages[s][1], "{}");
            std::vector<core::MetricPoint> points;
            for (int64_t step = 1; step <= 400; ++step) {
                const int stage = step <= 150 ? 0 : step <= 220 ? 1 : 2;
                const double t = start + 2.0 * double(step);
                const double loss = 0.6 + 2.2 * std::exp(-double(step) / (70.0 + 30 * r)) + 0.08 * noise(rng);
                points.push_back({run, stage, step, "loss", loss, t});
                if (stage == 2) {
                    const double x = double(step - 220);
                    const double reward = 0.15 + (0.55 + 0.1 * r) * (1 - std::exp(-x / 60)) + 0.06 * noise(rng);
                    points.push_back({run, stage, step, "reward/mean", reward, t});
                }
            }
            store.appendMetrics(points);
        }
        CurvesPanel panel;
        panel.resize(1000, 560);
        panel.setStore(&store);
        panel.setRuns(runs);
        panel.setMetrics({QStringLiteral("loss"), QStringLiteral("reward/mean")});
        panel.setView(CurvesPanel::View::SingleChart); // the dashboard has a test of its own
        panel.setSmoothing(0.8);
        panel.waitForData(); // the lists filled before the window shows, so focus lands alike
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.resetView();
        panel.setCursorX(300);
        QTest::qWait(50); // lets the readout's new height reach the layout
        panel.plot()->replot();
        QCOMPARE(panel.stageLineCount(), 3);
        const QString dir = THINKBENCH_BINARY_DIR "/screenshots"; // copied to docs/screenshots by hand
        QDir().mkpath(dir);
        QVERIFY(panel.grab().save(dir + QStringLiteral("/curves_panel.png")));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<core::RunStore> store_;
    int64_t runA_ = 0;
    int64_t runB_ = 0;
    int storeCount_ = 0;
};

QTEST_MAIN(CurvesTest)
#include "tst_curves.moc"
