// The curves panel's dashboard against a run store written here: one small chart per metric of
// the families a stage kind is watched by, each with its own y-range; the grid reflowing with the
// width; the regex filter; pins kept in QSettings; runs in the same colours in every chart; the
// crosshair and the step zoom linked; a click opening the step's samples; live appends that
// redraw only what changed; 40 metrics x 2,000 steps; an offscreen screenshot.

#include "core/store/metric_names.h"
#include "core/store/metric_series.h"
#include "core/store/run_store.h"
#include "widgets/curves_panel.h"
#include "widgets/dashboard/chart_grid.h"
#include "widgets/dashboard/dashboard_view.h"
#include "widgets/dashboard/small_chart.h"

#include <qcustomplot.h>

#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <cmath>
#include <random>

using namespace thinkbench;
using widgets::DashboardView;
using widgets::SmallChart;

namespace {

namespace m = core::metric;

// Writes values[i] as step firstStep + i of `key` in stage `stage`.
void write(core::RunStore& store, int64_t run, int stage, std::string_view key, const std::vector<double>& values,
           int64_t firstStep = 1)
{
    const double start = store.run(run)->createdAt;
    std::vector<core::MetricPoint> points;
    for (size_t i = 0; i < values.size(); ++i) {
        const int64_t step = firstStep + int64_t(i);
        points.push_back({run, stage, step, std::string(key), values[i], start + double(step)});
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

QStringList keysOf(const QList<SmallChart*>& charts)
{
    QStringList keys;
    for (const SmallChart* chart : charts)
        keys << chart->key();
    return keys;
}

QSet<QString> keySet(const QList<SmallChart*>& charts)
{
    const QStringList keys = keysOf(charts);
    return {keys.begin(), keys.end()};
}

// The colour of `run`'s curve in `chart`.
QColor colourOf(const SmallChart* chart, qint64 run)
{
    for (const auto& curve : chart->painter().curves())
        if (curve.data.run == run)
            return curve.smooth->pen().color();
    return {};
}

void moveMouse(QWidget* widget, QPointF pos)
{
    QMouseEvent move(QEvent::MouseMove, pos, widget->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &move);
}

const QSet<QString> kGrpoDefault = {"reward/mean", "reward/std", "accuracy", "heldout/pass1",
                                    "length/mean", "kl",         "entropy",  "clip/low"};

} // namespace

class DashboardTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        QCoreApplication::setOrganizationName("ThinkBenchDashboardTest");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.filePath("settings"));
    }

    void init()
    {
        QSettings().clear();
        const QString path = dir_.filePath(QStringLiteral("runs-%1.sqlite").arg(++storeCount_));
        store_ = std::make_unique<core::RunStore>(path.toStdString());
        // A tiny GRPO run: every per-step metric of a GRPO stage, a held-out evaluation with its
        // standard error, and the keys of the families a GRPO stage folds.
        grpo_ = store_->createRun("tiny-grpo", "");
        store_->beginStage(grpo_, 0, "grpo", "rl", "{}");
        write(*store_, grpo_, 0, m::kRewardMean, ramp(20, 0.1, 0.03));
        write(*store_, grpo_, 0, m::kRewardStd, ramp(20, 0.4, -0.01));
        write(*store_, grpo_, 0, m::kAccuracy, ramp(20, 0.05, 0.04));
        write(*store_, grpo_, 0, m::kLengthMean, ramp(20, 120, 6));
        write(*store_, grpo_, 0, m::kKl, ramp(20, 0, 0.002));
        write(*store_, grpo_, 0, m::kEntropy, ramp(20, 1.2, -0.02));
        write(*store_, grpo_, 0, m::kClipLow, ramp(20, 0.01, 0.001));
        write(*store_, grpo_, 0, m::kLoss, ramp(20, 3.0, -0.05));
        write(*store_, grpo_, 0, m::kLearningRate, std::vector<double>(20, 1e-5));
        write(*store_, grpo_, 0, m::kStepSeconds, ramp(20, 2.0, 0.01));
        write(*store_, grpo_, 0, "moe/layer1/cv", ramp(20, 0.5, -0.01));
        for (int64_t step : {10, 20}) {
            write(*store_, grpo_, 0, m::kHeldOutPass1, {0.015 * double(step)}, step);
            write(*store_, grpo_, 0, m::kHeldOutPass1Stderr, {0.002 * double(step)}, step);
        }
        // A second GRPO run with fewer metrics, and a pretraining run.
        second_ = store_->createRun("second", "");
        store_->beginStage(second_, 0, "grpo", "rl", "{}");
        write(*store_, second_, 0, m::kRewardMean, ramp(20, 0.2, 0.02));
        write(*store_, second_, 0, m::kAccuracy, ramp(20, 0.1, 0.03));
        pretrain_ = store_->createRun("base", "");
        store_->beginStage(pretrain_, 0, "pretrain", "base", "{}");
        write(*store_, pretrain_, 0, m::kLoss, ramp(20, 6, -0.2));
        write(*store_, pretrain_, 0, m::kLearningRate, ramp(20, 1e-4, -1e-6));
        write(*store_, pretrain_, 0, m::kGradNorm, ramp(20, 2, -0.05));
        write(*store_, pretrain_, 0, m::kTokensPerSecond, ramp(20, 900, 1));
    }

    void cleanup() { store_.reset(); }

    void showsTheFamiliesOfTheStageKind()
    {
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({grpo_});
        view.waitForData();
        // One chart per metric of the GRPO families; the error series is a band, not a chart.
        QCOMPARE(keySet(view.charts()), kGrpoDefault);
        QCOMPARE(view.charts().size(), kGrpoDefault.size());
        for (const SmallChart* chart : view.charts()) {
            QCOMPARE(chart->painter().curves().size(), size_t(1));
            QVERIFY(chart->plot()->graphCount() >= 2);
        }
        QCOMPARE(view.chart("accuracy")->painter().curves().front().data.points.size(), size_t(20));
        QCOMPARE(view.chart("heldout/pass1")->plot()->graphCount(), 4); // raw, smoothed, band
        // An evaluation is drawn through its points, unsmoothed.
        const auto& heldout = view.chart("heldout/pass1")->painter().curves().front().data;
        QCOMPARE(heldout.smoothed, (std::vector<double>{0.15, 0.3}));
        QVERIFY(view.chart("accuracy")->painter().curves().front().data.smoothed[1] < 0.09);
        // ... and dotted, as a few points far apart; a curve of every step is not.
        QCOMPARE(view.chart("heldout/pass1")->painter().curves().front().smooth->scatterStyle().shape(),
                 QCPScatterStyle::ssDisc);
        QCOMPARE(view.chart("accuracy")->painter().curves().front().smooth->scatterStyle().shape(),
                 QCPScatterStyle::ssNone);
        QVERIFY(!view.chart("heldout/pass1_stderr"));
        // The other families are there, folded, and not read.
        QStringList folded;
        for (const auto& section : view.grid()->sections())
            if (!section.expanded)
                folded << section.title;
        QCOMPARE(folded.size(), 3); // throughput, loss/lr, experts
        QVERIFY(view.chart("loss"));
        QVERIFY(view.chart("loss")->painter().curves().empty());
        QVERIFY(view.chart("loss")->isHidden());

        // Each chart has its own y-axis: accuracy's spans 0..1 or so, length's its hundreds.
        const QCPRange accuracy = view.chart("accuracy")->plot()->yAxis->range();
        QVERIFY2(accuracy.lower > -0.1 && accuracy.upper < 1.1 && accuracy.upper > 0.8,
                 qPrintable(QStringLiteral("%1..%2").arg(accuracy.lower).arg(accuracy.upper)));
        QVERIFY(view.chart("length/mean")->plot()->yAxis->range().upper > 200);

        // Unfolding a family reads it: loss gets its own axis, well above accuracy's.
        view.setShowAll(true);
        view.waitForData();
        QCOMPARE(view.charts().size(), 12);
        const QCPRange loss = view.chart("loss")->plot()->yAxis->range();
        QVERIFY(loss.upper > 2.9 && loss.lower > 1.5);
        view.setShowAll(false);
        // A folded family opens with a click on its header.
        auto* header = view.grid()->findChild<QToolButton*>(
            QStringLiteral("section:%1").arg(int(widgets::MetricFamily::Optimisation)));
        QVERIFY(header);
        header->click();
        view.waitForData();
        QVERIFY(keySet(view.charts()).contains("loss"));
        QVERIFY(!view.chart("loss")->painter().curves().empty());
        view.grid()
            ->findChild<QToolButton*>(QStringLiteral("section:%1").arg(int(widgets::MetricFamily::Reward)))
            ->click();
        QVERIFY(!keySet(view.charts()).contains("reward/mean"));

        // A pretraining run shows loss, learning rate and gradient norm.
        view.setRuns({pretrain_});
        view.waitForData();
        QCOMPARE(keySet(view.charts()), (QSet<QString>{"loss", "lr", "grad_norm"}));
    }

    // A stage of two ranks: its dist/* metrics in the Distributed family, open by default.
    void distributedFamilyOpensForSeveralRanks()
    {
        const int64_t ranks = store_->createRun("two-ranks", "");
        store_->beginStage(ranks, 0, "pretrain", "base", "{}", 2, "gloo");
        write(*store_, ranks, 0, m::kLoss, ramp(20, 6, -0.2));
        write(*store_, ranks, 0, m::distRankTokensPerSecond(0), ramp(20, 900, 1));
        write(*store_, ranks, 0, m::distRankTokensPerSecond(1), ramp(20, 880, 1));
        write(*store_, ranks, 0, m::kDistCommSeconds, ramp(20, 0.02, 0));
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({ranks});
        view.waitForData();
        QCOMPARE(keySet(view.charts()),
                 (QSet<QString>{"loss", "dist/rank0/tokens_per_s", "dist/rank1/tokens_per_s", "dist/comm_seconds"}));
        QStringList open;
        for (const auto& section : view.grid()->sections())
            if (section.expanded)
                open << section.title;
        QCOMPARE(open, (QStringList{"Distributed", "Loss / LR / grad norm"}));
        QCOMPARE(view.chart("dist/rank1/tokens_per_s")->painter().curves().front().data.points.size(), size_t(20));

        // The same keys from one process (a stage resumed on one rank keeps its old points): folded.
        const int64_t one = store_->createRun("one-rank", "");
        store_->beginStage(one, 0, "pretrain", "base", "{}");
        write(*store_, one, 0, m::kLoss, ramp(20, 6, -0.2));
        write(*store_, one, 0, m::kDistCommSeconds, ramp(20, 0.02, 0));
        view.setRuns({one});
        view.waitForData();
        QCOMPARE(keySet(view.charts()), (QSet<QString>{"loss"}));
    }

    void gridReflowsWithTheWidth()
    {
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({grpo_});
        view.resize(1300, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.waitForData();
        QTRY_COMPARE(view.grid()->columns(), 4);
        // Each section starts a row: the last three charts are KL / entropy / clip's.
        const auto charts = view.charts();
        QCOMPARE(charts.size(), 8);
        QCOMPARE(charts[5]->y(), charts[7]->y());
        QVERIFY(charts[7]->x() > charts[6]->x() && charts[6]->x() > charts[5]->x());
        QVERIFY(charts[5]->width() >= widgets::ChartGrid::kMinChartWidth - 10);

        view.resize(700, 800);
        QTRY_COMPARE(view.grid()->columns(), 2);
        QTRY_VERIFY(charts[7]->y() > charts[5]->y());
        QCOMPARE(charts[6]->y(), charts[5]->y());
        QCOMPARE(charts[7]->x(), charts[5]->x());
        view.resize(400, 800);
        QTRY_COMPARE(view.grid()->columns(), 1);
        QTRY_VERIFY(charts[6]->y() > charts[5]->y());
    }

    void filterNarrowsTheCharts()
    {
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({grpo_});
        view.waitForData();
        view.setFilter(QStringLiteral("^length|^kl$"));
        QCOMPARE(keySet(view.charts()), (QSet<QString>{"length/mean", "kl"}));
        QVERIFY(view.filterError().isEmpty());
        // An invalid expression is reported and leaves the last valid one in force.
        view.setFilter(QStringLiteral("(length"));
        QVERIFY(view.filterError().contains(QStringLiteral("Invalid")));
        QCOMPARE(keySet(view.charts()), (QSet<QString>{"length/mean", "kl"}));
        // A search finds charts of folded families too, and reads them.
        view.setFilter(QStringLiteral("LOSS"));
        view.waitForData();
        QCOMPARE(keysOf(view.charts()), QStringList{"loss"});
        QVERIFY(!view.chart("loss")->painter().curves().empty());
        QVERIFY(view.filterError().isEmpty());
        // Typed in the box as a user would.
        auto* edit = view.findChild<QLineEdit*>(QStringLiteral("dashboardFilter"));
        QVERIFY(edit);
        edit->setText(QString());
        QCOMPARE(keySet(view.charts()), kGrpoDefault);
    }

    void pinsComeFirstAndPersist()
    {
        {
            DashboardView view;
            view.setDatabase(store_->path());
            view.setActive(true);
            view.setRuns({grpo_});
            view.waitForData();
            QVERIFY(view.charts().first()->key() != "kl");
            for (auto* button : view.chart("kl")->findChildren<QToolButton*>())
                if (button->isCheckable())
                    button->click();
            QCOMPARE(view.pinned(), QStringList{"kl"});
            QCOMPARE(view.charts().first()->key(), QStringLiteral("kl"));
            QCOMPARE(view.grid()->sections().first().id, QStringLiteral("pinned"));
            QCOMPARE(view.charts().size(), kGrpoDefault.size()); // moved, not doubled
        }
        DashboardView again;
        again.setDatabase(store_->path());
        again.setActive(true);
        again.setRuns({grpo_});
        again.waitForData();
        QCOMPARE(again.pinned(), QStringList{"kl"});
        QCOMPARE(again.charts().first()->key(), QStringLiteral("kl"));
        QVERIFY(again.chart("kl")->pinned());
        again.setPinned("kl", false);
        QVERIFY(again.charts().first()->key() != "kl");
        QCOMPARE(QSettings().value("dashboard/pinned").toStringList(), QStringList());
    }

    void runsKeepTheirColours()
    {
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({grpo_, second_});
        view.waitForData();
        const SmallChart* reward = view.chart("reward/mean");
        QCOMPARE(reward->painter().curves().size(), size_t(2));
        const QColor a = colourOf(reward, grpo_), b = colourOf(reward, second_);
        QVERIFY(a.isValid() && b.isValid() && a != b);
        QCOMPARE(colourOf(view.chart("accuracy"), grpo_), a);
        QCOMPARE(colourOf(view.chart("accuracy"), second_), b);
        // Alone in a chart, a run still has its own colour.
        QCOMPARE(view.chart("kl")->painter().curves().size(), size_t(1));
        QCOMPARE(colourOf(view.chart("kl"), grpo_), a);
    }

    void crosshairAndZoomAreLinked()
    {
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({grpo_, second_});
        view.resize(1300, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.waitForData();
        SmallChart* accuracy = view.chart("accuracy");
        const QPointF at = accuracy->plot()->graph(0)->coordsToPixels(7, 0.3);
        moveMouse(accuracy->plot(), at);
        QCOMPARE(view.cursorStep(), std::optional<qint64>(7));
        for (const SmallChart* chart : view.charts())
            QCOMPARE(chart->painter().crosshairX(), std::optional<double>(7));
        // Every header shows the smoothed values at step 7.
        const double length7 = core::debiasedEma(ramp(20, 120, 6), 0.6)[6];
        QVERIFY2(view.chart("length/mean")->values().contains(QString::number(length7, 'g', 4)),
                 qPrintable(view.chart("length/mean")->values()));

        // A zoom of the steps in one chart applies to all, and is read at full resolution.
        view.chart("kl")->plot()->xAxis->setRange(5, 10);
        for (const SmallChart* chart : view.charts()) {
            QCOMPARE(chart->plot()->xAxis->range().lower, 5.0);
            QCOMPARE(chart->plot()->xAxis->range().upper, 10.0);
        }
        QTest::qWait(200); // the zoom settles
        view.waitForData();
        QCOMPARE(view.chart("accuracy")->plot()->xAxis->range().upper, 10.0);
        // Unzoomed, each chart spans its own steps: the evaluations' are 10 and 20.
        view.resetZoom();
        view.waitForData();
        for (const SmallChart* chart : view.charts())
            QVERIFY2(chart->plot()->xAxis->range().lower < 10 && chart->plot()->xAxis->range().upper > 20,
                     qPrintable(QStringLiteral("%1: %2..%3")
                                    .arg(chart->key())
                                    .arg(chart->plot()->xAxis->range().lower)
                                    .arg(chart->plot()->xAxis->range().upper)));
        QVERIFY(view.chart("accuracy")->plot()->xAxis->range().lower < 1);
        QVERIFY(view.chart("heldout/pass1")->plot()->xAxis->range().lower > 5);
    }

    // The panel opens on the dashboard; a click on a point of a small chart opens the step's
    // samples as a click on the large chart does, and a double-click opens the chart large.
    void clickOpensTheStepAndDoubleClickTheLargeChart()
    {
        widgets::CurvesPanel panel;
        panel.setStore(store_.get());
        panel.setRuns({grpo_});
        panel.resize(1200, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(panel.view(), widgets::CurvesPanel::View::Dashboard);
        panel.waitForData();
        SmallChart* length = panel.dashboard()->chart("length/mean");
        QVERIFY(length && length->isVisible());
        QSignalSpy clicked(&panel, &widgets::CurvesPanel::stepClicked);
        const QPointF at = length->plot()->graph(0)->coordsToPixels(7, 120 + 6 * 6); // step 7, raw
        QTest::mouseClick(length->plot(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(0).toLongLong(), grpo_);
        QCOMPARE(clicked.first().at(1).toLongLong(), 7);
        QTest::mouseClick(length->plot(), Qt::LeftButton, {}, (at + QPointF(0, 40)).toPoint());
        QCOMPARE(clicked.count(), 1); // far from the curve: nothing

        QTest::mouseDClick(length->plot(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(panel.view(), widgets::CurvesPanel::View::SingleChart);
        QCOMPARE(panel.metrics(), QStringList{"length/mean"});
        QCOMPARE(panel.pointCount(grpo_, "length/mean"), 20);
        panel.setView(widgets::CurvesPanel::View::Dashboard);
        QVERIFY(length->isVisible());
    }

    // A poll appends what was written since; a poll with nothing new redraws nothing.
    void followsALiveRun()
    {
        DashboardView view;
        view.setDatabase(store_->path());
        view.setActive(true);
        view.setRuns({grpo_});
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.waitForData();
        QTest::qWait(50); // queued replots of the first read land
        int replots = 0;
        for (SmallChart* chart : view.charts())
            connect(chart->plot(), &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
        view.refresh();
        view.waitForData();
        QTest::qWait(50);
        QCOMPARE(replots, 0);

        core::RunStore writer(store_->path());
        write(writer, grpo_, 0, m::kAccuracy, {0.9, 0.92}, 21);
        write(writer, grpo_, 0, "reward/format", {1, 1}, 21); // a new key: a new chart
        view.refresh();
        view.waitForData();
        QCOMPARE(view.chart("accuracy")->painter().curves().front().data.points.size(), size_t(22));
        QVERIFY(view.chart("reward/format"));
        QVERIFY(keySet(view.charts()).contains("reward/format"));
        QTRY_VERIFY(replots > 0);
        QVERIFY(view.chart("accuracy")->plot()->xAxis->range().upper > 22);
        QVERIFY(view.chart("kl")->plot()->xAxis->range().upper < 21); // its own steps
    }

    // ~40 metrics of 2,000 steps: read off the GUI thread, hovered and followed live without
    // stalling the window. The times are printed; the bounds are loose (a busy shared machine).
    void fortyMetricsOfTwoThousandSteps()
    {
        core::RunStore store(dir_.filePath(QStringLiteral("big.sqlite")).toStdString());
        const int64_t run = store.createRun("big", "");
        store.beginStage(run, 0, "grpo", "rl", "{}");
        QStringList keys;
        for (int i = 0; i < 40; ++i) {
            const std::string key = (i < 10   ? "reward/part"
                                     : i < 20 ? "length/part"
                                     : i < 30 ? "clip/part"
                                              : "moe/l") +
                                    std::to_string(i);
            std::vector<double> values(2000);
            for (size_t s = 0; s < values.size(); ++s)
                values[s] = std::sin(double(s) / (50.0 + i)) + 0.01 * double(i);
            write(store, run, 0, key, values);
        }
        DashboardView view;
        view.resize(1400, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setDatabase(store.path());
        view.setActive(true);
        view.setShowAll(true);
        QElapsedTimer timer;
        timer.start();
        view.setRuns({run});
        const qint64 asked = timer.elapsed();
        view.waitForData();
        const qint64 loaded = timer.elapsed();
        QCOMPARE(view.charts().size(), 40);
        timer.restart();
        for (int step = 100; step < 110; ++step)
            view.setCursorStep(step);
        const double hover = timer.elapsed() / 10.0;
        write(store, run, 0, "reward/part0", {0.5}, 2001);
        timer.restart();
        view.refresh();
        view.waitForData();
        const qint64 poll = timer.elapsed();
        qInfo("40 x 2000: setRuns returned in %lld ms, read and the charts in view drawn in %lld ms; hover %.1f ms; "
              "live poll %lld ms",
              asked, loaded, hover, poll);
        QVERIFY(asked < 50); // the store is not read on this thread
        QVERIFY2(hover < 200, qPrintable(QString::number(hover)));
    }

    void rendersToPng()
    {
        core::RunStore store(dir_.filePath(QStringLiteral("shot.sqlite")).toStdString());
        std::mt19937 rng(3);
        std::normal_distribution<double> noise(0, 1);
        QList<qint64> runs;
        for (int r = 0; r < 2; ++r) {
            const int64_t run = store.createRun(r == 0 ? "r1-zero token" : "r1-zero gspo", "");
            runs << run;
            store.beginStage(run, 0, "grpo", "reasoning-rl", "{}");
            std::vector<double> reward, accuracy, length, kl, entropy, clip, stdr;
            for (int s = 0; s < 300; ++s) {
                const double t = 1 - std::exp(-s / (80.0 - 15 * r));
                reward.push_back(0.1 + 0.6 * t + 0.05 * noise(rng));
                stdr.push_back(0.45 - 0.15 * t + 0.02 * noise(rng));
                accuracy.push_back(std::clamp(0.08 + 0.5 * t + 0.06 * noise(rng), 0.0, 1.0));
                length.push_back(90 + 140 * t + 12 * noise(rng));
                kl.push_back(0.002 * s * (1 + 0.3 * r) + 0.01 * std::abs(noise(rng)));
                entropy.push_back(1.4 - 0.5 * t + 0.03 * noise(rng));
                clip.push_back(std::abs(0.01 + 0.2 * r * t + 0.005 * noise(rng)));
            }
            write(store, run, 0, m::kRewardMean, reward);
            write(store, run, 0, m::kRewardStd, stdr);
            write(store, run, 0, m::kAccuracy, accuracy);
            write(store, run, 0, m::kLengthMean, length);
            write(store, run, 0, m::kKl, kl);
            write(store, run, 0, m::kEntropy, entropy);
            write(store, run, 0, m::kClipHigh, clip);
            write(store, run, 0, m::kLoss, ramp(300, 0.2, 0.0));
            std::vector<double> pass, err;
            for (int s = 50; s <= 300; s += 50) {
                pass.push_back(0.1 + 0.45 * (1 - std::exp(-s / (80.0 - 15 * r))));
                err.push_back(0.03);
            }
            for (size_t i = 0; i < pass.size(); ++i) {
                write(store, run, 0, m::kHeldOutPass1, {pass[i]}, int64_t(50 * (i + 1)));
                write(store, run, 0, m::kHeldOutPass1Stderr, {err[i]}, int64_t(50 * (i + 1)));
            }
        }
        widgets::CurvesPanel panel;
        panel.resize(1300, 820);
        panel.setStore(&store);
        panel.setRuns(runs);
        panel.setSmoothing(0.8);
        panel.dashboard()->setPinned(QString::fromLatin1(m::kAccuracy), true);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.waitForData();
        panel.dashboard()->setCursorStep(200);
        QTest::qWait(50);
        for (SmallChart* chart : panel.dashboard()->charts())
            chart->plot()->replot();
        QCOMPARE(panel.dashboard()->charts().size(), 8);
        const QString dir = THINKBENCH_BINARY_DIR "/screenshots";
        QDir().mkpath(dir);
        QVERIFY(panel.grab().save(dir + QStringLiteral("/dashboard.png")));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<core::RunStore> store_;
    int64_t grpo_ = 0;
    int64_t second_ = 0;
    int64_t pretrain_ = 0;
    int storeCount_ = 0;
};

QTEST_MAIN(DashboardTest)
#include "tst_dashboard.moc"
