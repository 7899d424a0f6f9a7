// Curves panel on a 1M-point series, offscreen: the initial load (downsampled read + graphs), a
// full replot, a zoom into 1% of the range (re-read at full resolution + replot) and 1000 live
// points appended by refresh() + replot. Medians of several repeats, in milliseconds.

#include "core/store/run_store.h"
#include "widgets/curves_panel.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

using namespace thinkbench;

namespace {

constexpr int64_t kPoints = 1000000;

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Runs `work` `repeats` times; the median in milliseconds.
double timeMs(int repeats, const std::function<void(int)>& work)
{
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer timer;
        timer.start();
        work(i);
        ms.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    return median(ms);
}

void writePoints(core::RunStore& store, int64_t run, int64_t from, int64_t count, double start)
{
    std::vector<core::MetricPoint> points;
    points.reserve(size_t(count));
    for (int64_t step = from; step < from + count; ++step) {
        const double x = double(step);
        const double value = 0.2 + 0.6 * (1 - std::exp(-x / 2e5)) + 0.05 * std::sin(x * 0.37) +
                             (step % 50021 == 0 ? 0.5 : 0); // a few spikes
        points.push_back({run, 0, step, "reward/mean", value, start + 0.01 * x});
    }
    store.appendMetrics(points);
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    core::RunStore store(dir.filePath(QStringLiteral("bench.sqlite")).toStdString());
    const int64_t run = store.createRun("bench", "");
    store.beginStage(run, 0, "grpo", "rl", "{}");
    const double start = store.run(run)->createdAt;
    QElapsedTimer writing;
    writing.start();
    for (int64_t s = 1; s <= kPoints; s += 100000)
        writePoints(store, run, s, 100000, start);
    std::printf("wrote %lld points in %.1f s\n", static_cast<long long>(kPoints),
                double(writing.elapsed()) / 1000);

    widgets::CurvesPanel panel;
    panel.resize(1200, 600);
    panel.show();
    QApplication::processEvents();
    QCustomPlot* plot = panel.plot();

    int loaded = 0;
    const double load = timeMs(5, [&](int) {
        panel.setStore(&store);
        panel.setRuns({run});
        panel.setMetrics({QStringLiteral("reward/mean")});
        plot->replot();
        loaded = panel.pointCount(run, QStringLiteral("reward/mean"));
    });
    const double replot = timeMs(20, [&](int) { plot->replot(); });

    // Windows of 1% at different places, so no read is served by the previous one.
    int zoomed = 0;
    const double zoom = timeMs(9, [&](int i) {
        const double lo = double(kPoints) * (0.05 + 0.1 * i);
        panel.setXRange(lo, lo + double(kPoints) / 100);
        plot->replot();
        zoomed = panel.pointCount(run, QStringLiteral("reward/mean"));
    });
    panel.resetView();

    // The training process writes the points (untimed); refresh() reads only those and appends.
    int64_t next = kPoints + 1;
    std::vector<double> live;
    for (int i = 0; i < 5; ++i) {
        writePoints(store, run, next, 1000, start);
        next += 1000;
        QElapsedTimer timer;
        timer.start();
        panel.refresh();
        plot->replot();
        live.push_back(double(timer.nsecsElapsed()) / 1e6);
    }

    std::printf("\n| operation | median ms | points in the graph |\n| --- | ---: | ---: |\n");
    std::printf("| initial load (read + graphs + replot) | %.1f | %d |\n", load, loaded);
    std::printf("| replot | %.1f | %d |\n", replot, loaded);
    std::printf("| zoom to 1%% (re-read + replot) | %.1f | %d |\n", zoom, zoomed);
    std::printf("| append 1000 live points (refresh + replot) | %.1f | %d |\n", median(live),
                panel.pointCount(run, QStringLiteral("reward/mean")));
    return 0;
}
