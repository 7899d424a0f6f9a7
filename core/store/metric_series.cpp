#include "core/store/metric_series.h"

#include <algorithm>
#include <cmath>

namespace thinkbench::core {

double DebiasedEma::add(double value)
{
    if (!std::isfinite(value))
        return value;
    last_ = last_ * weight_ + (1 - weight_) * value;
    ++count_;
    return last_ / (1 - std::pow(weight_, count_));
}

std::vector<double> debiasedEma(const std::vector<double>& values, double weight)
{
    DebiasedEma ema(weight);
    std::vector<double> out;
    out.reserve(values.size());
    for (double v : values)
        out.push_back(ema.add(v));
    return out;
}

std::vector<StepSpan> ownStepSpans(const std::vector<StageInfo>& stages)
{
    std::vector<StepSpan> spans;
    for (const auto& stage : stages) {
        if (stage.firstStep < 0)
            continue;
        const bool inside = std::any_of(stages.begin(), stages.end(), [&](const auto& other) {
            return &other != &stage && other.firstStep >= 0 && other.firstStep <= stage.firstStep &&
                   other.lastStep >= stage.lastStep &&
                   (other.firstStep < stage.firstStep || other.lastStep > stage.lastStep);
        });
        if (!inside)
            spans.push_back({stage.firstStep, stage.lastStep});
    }
    return spans;
}

MetricSeries::MetricSeries(int64_t run, std::string key, double smoothing)
    : run_(run)
    , key_(std::move(key))
    , smoothing_(smoothing)
{
}

void MetricSeries::load(const RunStore& store, size_t maxPoints)
{
    coarse_ = store.series(run_, key_, maxPoints);
    // The stages after the points, each read on its own: a stage between two points read was
    // written before the later one, so it is there; read first, it could be missing, its gap unbroken.
    readStages(store);
    complete_ = coarse_.empty() || uint64_t(coarse_.back().step - coarse_.front().step + 1) <= maxPoints;
    lastStep_ = coarse_.empty() ? -1 : coarse_.back().step;
    detail_.clear();
    detailTo_ = -1;
    rebuild(store);
}

size_t MetricSeries::appendNew(const RunStore& store, size_t maxPoints)
{
    const auto fresh = store.series(run_, key_, maxPoints, lastStep_ + 1);
    if (fresh.empty())
        return 0;
    readStages(store); // after the points, as load() reads them: a stage opened since may be a gap before them
    complete_ = complete_ && uint64_t(fresh.back().step - fresh.front().step + 1) <= maxPoints;
    lastStep_ = fresh.back().step;
    coarse_.insert(coarse_.end(), fresh.begin(), fresh.end());
    if (coarse_.size() > 3 * maxPoints) {
        load(store, maxPoints);
        return fresh.size();
    }
    // New steps come after any zoomed range, so they extend the shown points as they are.
    const size_t from = points_.size();
    points_.insert(points_.end(), fresh.begin(), fresh.end());
    for (size_t i = from; i < points_.size(); ++i)
        smoothed_.push_back(ema_.add(points_[i].value));
    findBreaks(store, from);
    return fresh.size();
}

void MetricSeries::zoomToSteps(const RunStore& store, double lower, double upper, size_t maxPoints)
{
    if (complete_ || coarse_.empty())
        return;
    // Clamped as doubles first: a view far off the series must not overflow the cast.
    const double first = double(coarse_.front().step), last = double(coarse_.back().step);
    zoom(store, int64_t(std::clamp(std::floor(lower), first, last + 1)),
         int64_t(std::clamp(std::ceil(upper), first - 1, last)), maxPoints);
}

void MetricSeries::zoomToWallTimes(const RunStore& store, double lower, double upper, size_t maxPoints)
{
    if (complete_ || coarse_.empty())
        return;
    int64_t from = coarse_.front().step, to = coarse_.back().step;
    for (const auto& p : coarse_) {
        if (p.wallTime <= lower)
            from = p.step;
        if (p.wallTime >= upper) {
            to = p.step;
            break;
        }
    }
    zoom(store, from, to, maxPoints);
}

void MetricSeries::zoom(const RunStore& store, int64_t from, int64_t to, size_t maxPoints)
{
    if (from > to || (from == coarse_.front().step && to == coarse_.back().step)) {
        unzoom(store);
        return;
    }
    if (from == detailFrom_ && to == detailTo_)
        return;
    detail_ = store.series(run_, key_, maxPoints, from, to);
    detailFrom_ = from;
    detailTo_ = to;
    rebuild(store);
}

void MetricSeries::unzoom(const RunStore& store)
{
    if (!zoomed())
        return;
    detail_.clear();
    detailTo_ = -1;
    rebuild(store);
}

void MetricSeries::setSmoothing(double weight)
{
    if (weight == smoothing_)
        return;
    smoothing_ = weight;
    smooth();
    ++revision_;
}

void MetricSeries::readStages(const RunStore& store)
{
    spans_ = ownStepSpans(store.stages(run_));
    spanEmpty_.assign(spans_.size(), -1);
}

void MetricSeries::rebuild(const RunStore& store)
{
    points_.clear();
    if (!zoomed()) {
        points_ = coarse_;
    } else {
        for (const auto& p : coarse_)
            if (p.step < detailFrom_)
                points_.push_back(p);
        points_.insert(points_.end(), detail_.begin(), detail_.end());
        for (const auto& p : coarse_)
            if (p.step > detailTo_)
                points_.push_back(p);
    }
    smooth();
    breaks_.clear();
    findBreaks(store, 0);
    ++revision_;
}

void MetricSeries::smooth()
{
    ema_ = DebiasedEma(smoothing_);
    smoothed_.clear();
    smoothed_.reserve(points_.size());
    for (const auto& p : points_)
        smoothed_.push_back(ema_.add(p.value));
}

void MetricSeries::findBreaks(const RunStore& store, size_t from)
{
    // A gap is a span strictly between two neighbouring points; only such spans are asked about.
    std::vector<size_t> found;
    for (size_t s = 0; s < spans_.size(); ++s) {
        const auto next = std::lower_bound(points_.begin(), points_.end(), spans_[s].first,
                                           [](const SeriesPoint& p, int64_t step) { return p.step < step; });
        const auto i = size_t(next - points_.begin());
        if (i == 0 || i < from || i == points_.size() || next->step <= spans_[s].last)
            continue;
        if (holdsNoPoint(store, s))
            found.push_back(i);
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    breaks_.insert(breaks_.end(), found.begin(), found.end());
}

bool MetricSeries::holdsNoPoint(const RunStore& store, size_t span)
{
    // Downsampled points may skip a short stage that has the metric: the store decides.
    if (spanEmpty_[span] < 0)
        spanEmpty_[span] = store.series(run_, key_, 1, spans_[span].first, spans_[span].last).empty();
    return spanEmpty_[span] > 0;
}

} // namespace thinkbench::core
