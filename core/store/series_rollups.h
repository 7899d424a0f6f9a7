#pragma once
// Multi-resolution rollups of metric series: for every run of kRollupWidths[i] steps of a series,
// its first, lowest, highest and last point (table metric_rollups), so a long series downsamples
// from a few thousand rows, not millions. Internal to the run store.

#include "core/store/row_mapper.h"
#include "core/store/run_store.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

namespace thinkbench::core {

// Rollup widths in steps, finest first; each is a multiple of the one before.
inline constexpr int64_t kRollupWidths[] = {256, 16384};

// A raw point of table metrics.
inline constexpr auto kMetricPointRow =
    rowMap("metrics", field<&SeriesPoint::step>("step"), field<&SeriesPoint::value>("value"),
           field<&SeriesPoint::wallTime>("wall_time"));

// The first, lowest, highest and last point of a stretch of a series.
struct Rollup {
    SeriesPoint first, min, max, last;

    Rollup() = default; // for the row mapper, which fills every point
    explicit Rollup(const SeriesPoint& p)
        : first(p)
        , min(p)
        , max(p)
        , last(p)
    {
    }
    void add(const SeriesPoint& p) // p comes after every point added so far
    {
        if (p.value < min.value)
            min = p;
        if (p.value > max.value)
            max = p;
        last = p;
    }
    void merge(const Rollup& later)
    {
        add(later.first);
        add(later.min);
        add(later.max);
        add(later.last);
    }
    // The distinct points in step order.
    template <typename Sink> void emit(Sink&& sink) const
    {
        SeriesPoint picks[4] = {first, min, max, last};
        std::sort(std::begin(picks), std::end(picks),
                  [](const SeriesPoint& a, const SeriesPoint& b) { return a.step < b.step; });
        for (int i = 0; i < 4; ++i)
            if (i == 0 || picks[i].step != picks[i - 1].step)
                sink(picks[i]);
    }
};

// Downsamples a stream of points in step order into `buckets` equal step ranges over
// [first, last], keeping each bucket's first, lowest, highest and last point.
class Downsampler {
public:
    Downsampler(int64_t first, int64_t last, int64_t buckets, std::vector<SeriesPoint>& out)
        : first_(first)
        , width_(static_cast<double>(last - first + 1) / static_cast<double>(buckets))
        , out_(out)
    {
    }
    void add(const SeriesPoint& p)
    {
        const auto b = static_cast<int64_t>(static_cast<double>(p.step - first_) / width_);
        if (b != bucket_) {
            flush();
            bucket_ = b;
            current_.emplace(p);
        } else {
            current_->add(p);
        }
    }
    // Writes the last bucket; call once after the last add().
    void flush()
    {
        if (current_)
            current_->emit([this](const SeriesPoint& p) { out_.push_back(p); });
        current_.reset();
    }

private:
    int64_t first_;
    double width_;
    std::vector<SeriesPoint>& out_;
    int64_t bucket_ = -1;
    std::optional<Rollup> current_;
};

// Calls sink(point) for every raw point of series (run, key) with a step in [from, to], in step
// order.
template <typename Sink>
void forEachPoint(SqliteDb& db, int64_t run, int64_t key, int64_t from, int64_t to, Sink&& sink)
{
    auto rows =
        db.prepare(kMetricPointRow.select() + "WHERE run = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY step");
    rows.bind(1, run).bind(2, key).bind(3, from).bind(4, to);
    forEachRow(rows, kMetricPointRow, sink);
}

// The rollups of width `width` of series (run, key) for buckets [firstBucket, lastBucket], in
// bucket order; buckets without points are absent.
std::vector<Rollup> readRollups(SqliteDb& db, int64_t run, int64_t key, int64_t width, int64_t firstBucket,
                                int64_t lastBucket);

// Folds freshly written points (sorted by step) of one series into every rollup level.
void updateRollups(SqliteDb& db, int64_t run, int64_t key, const std::vector<SeriesPoint>& points);

// Recomputes every rollup from the raw rows (the migration that introduced them).
void rebuildAllRollups(SqliteDb& db);

} // namespace thinkbench::core
