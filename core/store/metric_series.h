#pragma once
// The series model behind a curve: one metric of one run as read from the run store, downsampled
// for the visible range, followed live, smoothed, and broken where a stage lacks the metric. It
// holds no Qt, so a GUI can fill it on a worker thread and hand its points to a painter.

#include "core/store/run_store.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace thinkbench::core {

// TensorBoard's smoothing: an EMA started at 0 and divided by 1 - weight^n, so early points are
// not pulled toward 0. A non-finite value passes through without disturbing the average.
class DebiasedEma {
public:
    explicit DebiasedEma(double weight = 0)
        : weight_(weight)
    {
    }
    double add(double value);

private:
    double weight_;
    double last_ = 0;
    int count_ = 0;
};

std::vector<double> debiasedEma(const std::vector<double>& values, double weight);

// First and last step of each stage with steps of its own. An evaluation stamped with the step
// before it lies inside another stage's steps and is left out: it is no gap in a curve.
struct StepSpan {
    int64_t first = 0;
    int64_t last = 0;
};
std::vector<StepSpan> ownStepSpans(const std::vector<StageInfo>& stages);

class MetricSeries {
public:
    MetricSeries(int64_t run, std::string key, double smoothing = 0);

    int64_t run() const { return run_; }
    const std::string& key() const { return key_; }

    // Reads the whole series downsampled to about maxPoints (each bucket keeps its first, lowest,
    // highest and last point, so spikes survive) and forgets a zoom.
    void load(const RunStore& store, size_t maxPoints);
    // Appends the points written since the last read and returns how many there were. A series
    // followed long enough to outgrow 3 × maxPoints is read again downsampled.
    size_t appendNew(const RunStore& store, size_t maxPoints);
    // Re-reads the steps in [lower, upper] (clamped to the series) at up to maxPoints points,
    // between the coarse points outside them, which stay for panning. A range covering the whole
    // series forgets the zoom; a series read complete has nothing finer to read.
    void zoomToSteps(const RunStore& store, double lower, double upper, size_t maxPoints);
    // The same for the points written between two wall times (time grows with step).
    void zoomToWallTimes(const RunStore& store, double lower, double upper, size_t maxPoints);
    void unzoom(const RunStore& store);
    bool zoomed() const { return detailTo_ >= detailFrom_; }

    // Smooths the points again; nothing is read.
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }

    // The points shown: the coarse read, with the zoomed range at full resolution.
    const std::vector<SeriesPoint>& points() const { return points_; }
    // The debiased EMA of points(), one value each.
    const std::vector<double>& smoothed() const { return smoothed_; }
    // Ascending indices i where the line breaks between points i - 1 and i: a stage of its own
    // lies between them and holds no point of this metric (the SFT between two GRPO stages).
    const std::vector<size_t>& breaks() const { return breaks_; }
    // Changes whenever points, smoothed values or breaks are replaced rather than appended to.
    uint64_t revision() const { return revision_; }

private:
    void zoom(const RunStore& store, int64_t from, int64_t to, size_t maxPoints);
    void readStages(const RunStore& store);
    void rebuild(const RunStore& store);
    void smooth();
    void findBreaks(const RunStore& store, size_t from);
    bool holdsNoPoint(const RunStore& store, size_t span);

    int64_t run_;
    std::string key_;
    double smoothing_;
    std::vector<SeriesPoint> coarse_;
    bool complete_ = true; // coarse_ holds every point
    std::vector<SeriesPoint> detail_;
    int64_t detailFrom_ = 0;
    int64_t detailTo_ = -1;
    int64_t lastStep_ = -1;
    std::vector<StepSpan> spans_;
    std::vector<signed char> spanEmpty_; // per span: -1 not asked yet, else whether it is empty
    std::vector<SeriesPoint> points_;
    std::vector<double> smoothed_;
    DebiasedEma ema_;
    std::vector<size_t> breaks_;
    uint64_t revision_ = 0;
};

} // namespace thinkbench::core
