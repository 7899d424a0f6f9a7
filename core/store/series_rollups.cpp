#include "core/store/series_rollups.h"

#include <climits>

namespace thinkbench::core {

namespace {

// One row of metric_rollups: the rollup of bucket `bucket` of width `width` of series (run, key).
struct RollupRow {
    int64_t run = 0;
    int64_t key = 0;
    int64_t width = 0;
    int64_t bucket = 0;
    Rollup rollup;
};

template <auto Point, auto Field> constexpr auto rollupField(std::string_view sql)
{
    return field<&RollupRow::rollup, Point, Field>(sql);
}

constexpr auto kRollupRow = rowMap("metric_rollups", field<&RollupRow::run>("run"), field<&RollupRow::key>("key"),
                                   field<&RollupRow::width>("width"), field<&RollupRow::bucket>("bucket"),
                                   rollupField<&Rollup::first, &SeriesPoint::step>("first_step"),
                                   rollupField<&Rollup::first, &SeriesPoint::value>("first_value"),
                                   rollupField<&Rollup::first, &SeriesPoint::wallTime>("first_time"),
                                   rollupField<&Rollup::min, &SeriesPoint::step>("min_step"),
                                   rollupField<&Rollup::min, &SeriesPoint::value>("min_value"),
                                   rollupField<&Rollup::min, &SeriesPoint::wallTime>("min_time"),
                                   rollupField<&Rollup::max, &SeriesPoint::step>("max_step"),
                                   rollupField<&Rollup::max, &SeriesPoint::value>("max_value"),
                                   rollupField<&Rollup::max, &SeriesPoint::wallTime>("max_time"),
                                   rollupField<&Rollup::last, &SeriesPoint::step>("last_step"),
                                   rollupField<&Rollup::last, &SeriesPoint::value>("last_value"),
                                   rollupField<&Rollup::last, &SeriesPoint::wallTime>("last_time"));

std::optional<Rollup> loadRollup(SqliteDb& db, int64_t run, int64_t key, int64_t width, int64_t bucket)
{
    auto stmt = db.prepare(kRollupRow.select() + "WHERE run = ? AND key = ? AND width = ? AND bucket = ?");
    stmt.bind(1, run).bind(2, key).bind(3, width).bind(4, bucket);
    const auto row = readFirst(stmt, kRollupRow);
    return row ? std::optional<Rollup>(row->rollup) : std::nullopt;
}

void storeRollup(SqliteDb& db, const RollupRow& row)
{
    auto stmt = db.prepare(kRollupRow.insert("INSERT OR REPLACE"));
    kRollupRow.bind(stmt, row);
    stmt.run();
}

// Adds p to the rollup, starting it when empty.
void fold(std::optional<Rollup>& r, const SeriesPoint& p)
{
    r ? r->add(p) : void(r.emplace(p));
}

// Recomputes one bucket from the level below (raw rows for the finest level), for when points
// inside an existing bucket were rewritten.
std::optional<Rollup> recomputeRollup(SqliteDb& db, int64_t run, int64_t key, size_t level, int64_t bucket)
{
    const int64_t width = kRollupWidths[level];
    std::optional<Rollup> r;
    if (level == 0) {
        forEachPoint(db, run, key, bucket * width, (bucket + 1) * width - 1, [&](const SeriesPoint& p) { fold(r, p); });
        return r;
    }
    const int64_t finer = kRollupWidths[level - 1];
    const int64_t ratio = width / finer;
    for (int64_t b = bucket * ratio; b < (bucket + 1) * ratio; ++b) {
        if (auto part = loadRollup(db, run, key, finer, b))
            r ? r->merge(*part) : void(r.emplace(*part));
    }
    return r;
}

// A series of table metrics.
struct SeriesId {
    int64_t run = 0;
    int64_t key = 0;
};
constexpr auto kSeriesIdRow = rowMap("metrics", field<&SeriesId::run>("run"), field<&SeriesId::key>("key"));

} // namespace

std::vector<Rollup> readRollups(SqliteDb& db, int64_t run, int64_t key, int64_t width, int64_t firstBucket,
                                int64_t lastBucket)
{
    auto stmt = db.prepare(kRollupRow.select() + "WHERE run = ? AND key = ? AND width = ? AND "
                                                 "bucket BETWEEN ? AND ? ORDER BY bucket");
    stmt.bind(1, run).bind(2, key).bind(3, width).bind(4, firstBucket).bind(5, lastBucket);
    std::vector<Rollup> rollups;
    forEachRow(stmt, kRollupRow, [&](const RollupRow& row) { rollups.push_back(row.rollup); });
    return rollups;
}

void updateRollups(SqliteDb& db, int64_t run, int64_t key, const std::vector<SeriesPoint>& points)
{
    for (size_t level = 0; level < std::size(kRollupWidths); ++level) {
        const int64_t width = kRollupWidths[level];
        for (size_t i = 0; i < points.size();) {
            const int64_t bucket = points[i].step / width;
            size_t end = i;
            while (end < points.size() && points[end].step / width == bucket)
                ++end;
            std::optional<Rollup> r = loadRollup(db, run, key, width, bucket);
            if (r && points[i].step <= r->last.step) {
                r = recomputeRollup(db, run, key, level, bucket); // a rewrite, not an append
            } else {
                for (size_t j = i; j < end; ++j)
                    fold(r, points[j]);
            }
            storeRollup(db, {run, key, width, bucket, *r});
            i = end;
        }
    }
}

void rebuildAllRollups(SqliteDb& db)
{
    db.exec("DELETE FROM metric_rollups");
    auto list = db.prepare("SELECT DISTINCT run, key FROM metrics");
    const std::vector<SeriesId> series = readAll(list, kSeriesIdRow);
    for (const SeriesId& s : series) {
        std::vector<SeriesPoint> points;
        forEachPoint(db, s.run, s.key, INT64_MIN, INT64_MAX, [&](const SeriesPoint& p) { points.push_back(p); });
        updateRollups(db, s.run, s.key, points);
    }
}

} // namespace thinkbench::core
