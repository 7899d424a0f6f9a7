// Curves panel on a 1M-point series, offscreen: the initial load (downsampled read + graphs), a
// full replot, a zoom into 1% of the range (re-read at full resolution + replot) and 1000 live
// points appended by refresh() + replot. Medians of several repeats, in milliseconds.
//
// Responsiveness: a 1 ms timer ticks on the GUI thread while the panel loads the run, zooms and
// follows live points; the longest gap between two ticks is the longest the window could not have
// answered input. Time to first plot runs from the call to the first replot that draws the data;
// the GUI thread's CPU time over the same span does not count time other processes took the
// core (the stall does), so it stays comparable on a busy machine.

#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "widgets/curves_panel.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

using namespace thinkbench;

namespace {

constexpr int64_t kPoints = 1000000;
const QString kKey = QString::fromUtf8(core::metric::kRewardMean.data(), qsizetype(core::metric::kRewardMean.size()));

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
        points.push_back({run, 0, step, std::string(core::metric::kRewardMean), value, start + 0.01 * x});
    }
    store.appendMetrics(points);
}

// Runs the event loop for `ms` milliseconds.
void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Ticks of a 1 ms timer on the GUI thread, in nanoseconds since the meter started.
class StallMeter {
public:
    StallMeter()
    {
        clock_.start();
        timer_.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer_, &QTimer::timeout, [this] { ticks_.push_back(now()); });
        timer_.start(1);
    }
    qint64 now() const { return clock_.nsecsElapsed(); }
    // The longest gap between ticks from the last tick at or before `from` to the first at or
    // after `to`, in milliseconds.
    double longestGapMs(qint64 from, qint64 to) const
    {
        const auto first = std::upper_bound(ticks_.begin(), ticks_.end(), from);
        const auto last = std::lower_bound(ticks_.begin(), ticks_.end(), to);
        auto it = first == ticks_.begin() ? first : first - 1;
        const auto end = last == ticks_.end() ? last : last + 1;
        qint64 longest = 0;
        for (; it + 1 < end; ++it)
            longest = std::max(longest, *(it + 1) - *it);
        return double(longest) / 1e6;
    }

private:
    QElapsedTimer clock_;
    QTimer timer_;
    std::vector<qint64> ticks_;
};

double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

struct Responsiveness {
    double stallMs = 0;     // longest GUI-thread gap
    double firstPlotMs = 0; // call to the first replot where `drawn()` holds
    double cpuMs = 0;       // GUI-thread CPU time over the same span
};

// Calls `start` from a running event loop and keeps the loop going until a replot satisfies
// `drawn` (or 10 s pass), then 20 ms more so a stall after the first plot counts too.
Responsiveness measure(StallMeter& meter, QCustomPlot* plot, const std::function<void()>& start,
                       const std::function<bool()>& drawn)
{
    spin(20); // the meter ticks steadily before the call
    Responsiveness result;
    QEventLoop loop;
    qint64 begin = 0;
    double cpu = 0;
    const auto connection = QObject::connect(plot, &QCustomPlot::afterReplot, [&] {
        if (begin > 0 && result.firstPlotMs == 0 && drawn()) {
            result.firstPlotMs = double(meter.now() - begin) / 1e6;
            result.cpuMs = threadCpuMs() - cpu;
            loop.quit();
        }
    });
    QTimer::singleShot(0, [&] {
        begin = meter.now();
        cpu = threadCpuMs();
        start();
    });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(connection);
    spin(20);
    result.stallMs = meter.longestGapMs(begin, meter.now());
    return result;
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
    std::printf("wrote %lld points in %.1f s\n", static_cast<long long>(kPoints), double(writing.elapsed()) / 1000);

    widgets::CurvesPanel panel;
    panel.resize(1200, 600);
    panel.show();
    QApplication::processEvents();
    QCustomPlot* plot = panel.plot();

    // Responsiveness first, on a panel that has never read the run.
    StallMeter meter;
    spin(200);
    const double idle = meter.longestGapMs(0, meter.now());
    const auto hasData = [&] { return plot->graphCount() > 0 && plot->graph(0)->dataCount() > 0; };
    constexpr int kRepeats = 9;
    std::vector<double> loadStall, firstPlot, loadCpu, zoomStall, zoomPlot, zoomCpu, liveStall;
    for (int i = 0; i < kRepeats; ++i) {
        const auto r = measure(
            meter, plot,
            [&] {
                panel.setStore(&store);
                panel.setRuns({run});
                panel.setMetrics({kKey});
            },
            hasData);
        loadStall.push_back(r.stallMs);
        firstPlot.push_back(r.firstPlotMs);
        loadCpu.push_back(r.cpuMs);
    }
    for (int i = 0; i < kRepeats; ++i) {
        const double lo = double(kPoints) * (0.03 + 0.1 * i);
        const auto r = measure(
            meter, plot, [&] { panel.setXRange(lo, lo + double(kPoints) / 100); },
            [&] { return plot->graph(0)->dataCount() > 4000; });
        zoomStall.push_back(r.stallMs);
        zoomPlot.push_back(r.firstPlotMs);
        zoomCpu.push_back(r.cpuMs);
    }
    panel.resetView();
    int64_t next = kPoints + 1;
    for (int i = 0; i < kRepeats; ++i) {
        writePoints(store, run, next, 1000, start);
        next += 1000;
        const int before = plot->graph(0)->dataCount();
        const auto r = measure(
            meter, plot, [&] { panel.refresh(); }, [&] { return plot->graph(0)->dataCount() > before; });
        liveStall.push_back(r.stallMs);
    }

    // Latencies, each call waiting for its data.
    int loaded = 0;
    const double load = timeMs(5, [&](int) {
        panel.setStore(&store);
        panel.setRuns({run});
        panel.setMetrics({kKey});
        loaded = panel.pointCount(run, kKey);
        plot->replot();
    });
    const double replot = timeMs(20, [&](int) { plot->replot(); });

    // Windows of 1% at different places, so no read is served by the previous one.
    int zoomed = 0;
    const double zoom = timeMs(9, [&](int i) {
        const double lo = double(kPoints) * (0.05 + 0.1 * i);
        panel.setXRange(lo, lo + double(kPoints) / 100);
        zoomed = panel.pointCount(run, kKey);
        plot->replot();
    });
    panel.resetView();

    // The training process writes the points (untimed); refresh() reads only those and appends.
    std::vector<double> live;
    for (int i = 0; i < 5; ++i) {
        writePoints(store, run, next, 1000, start);
        next += 1000;
        QElapsedTimer timer;
        timer.start();
        panel.refresh();
        panel.pointCount(run, kKey);
        plot->replot();
        live.push_back(double(timer.nsecsElapsed()) / 1e6);
    }

    std::printf("\n| operation | median ms | points in the graph |\n| --- | ---: | ---: |\n");
    std::printf("| initial load (read + graphs + replot) | %.1f | %d |\n", load, loaded);
    std::printf("| replot | %.1f | %d |\n", replot, loaded);
    std::printf("| zoom to 1%% (re-read + replot) | %.1f | %d |\n", zoom, zoomed);
    std::printf("| append 1000 live points (refresh + replot) | %.1f | %d |\n", median(live),
                panel.pointCount(run, kKey));

    std::printf("\n| GUI thread, 1 ms timer, median of %d | longest stall ms | to first plot ms "
                "| GUI-thread CPU ms |\n| --- | ---: | ---: | ---: |\n",
                kRepeats);
    std::printf("| idle (timer jitter) | %.1f | | |\n", idle);
    std::printf("| load the run (setStore + setRuns + setMetrics) | %.1f | %.1f | %.1f |\n", median(loadStall),
                median(firstPlot), median(loadCpu));
    std::printf("| zoom to 1%% (setXRange) | %.1f | %.1f | %.1f |\n", median(zoomStall), median(zoomPlot),
                median(zoomCpu));
    // Polled replots are coalesced on a 250 ms timer: time to plot and CPU say little there.
    std::printf("| live poll with 1000 new points (refresh) | %.1f | | |\n", median(liveStall));
    return 0;
}
