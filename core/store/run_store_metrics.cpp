// Metrics of the run store: writing batches of points (and folding them into the rollups), the
// keys of a run, and reading a series downsampled from raw rows and rollups.

#include "core/store/run_store.h"

#include "core/store/row_mapper.h"
#include "core/store/run_store_impl.h"
#include "core/store/series_rollups.h"

#include <algorithm>
#include <map>

namespace thinkbench::core {

namespace {

std::optional<int64_t> existingKeyId(SqliteDb& db, const std::string& name)
{
    auto find = db.prepare("SELECT id FROM metric_keys WHERE name = ?");
    find.bind(1, name);
    return readFirst(find, valueColumn<int64_t>);
}

// The id of a metric key, created on first use and cached for the connection.
int64_t keyId(RunStore::Impl& impl, const std::string& name)
{
    if (auto it = impl.keyIds.find(name); it != impl.keyIds.end())
        return it->second;
    std::optional<int64_t> id = existingKeyId(impl.db, name);
    if (!id) {
        impl.db.prepare("INSERT INTO metric_keys (name) VALUES (?)").bind(1, name).run();
        id = impl.db.lastInsertId();
    }
    impl.keyIds.emplace(name, *id);
    return *id;
}

} // namespace

void RunStore::appendMetrics(const std::vector<MetricPoint>& points)
{
    if (points.empty())
        return;
    Transaction transaction(impl_->db);
    // Step range per (run, stage), so stage boundaries are known without scanning metrics.
    std::map<std::pair<int64_t, int>, std::pair<int64_t, int64_t>> ranges;
    std::map<std::pair<int64_t, int64_t>, std::vector<SeriesPoint>> written;
    {
        // MetricPoint names its key; the row holds the key's id, so the columns are bound here.
        auto insert = impl_->db.prepare("INSERT OR REPLACE INTO metrics (run, key, step, stage, value, wall_time) "
                                        "VALUES (?, ?, ?, ?, ?, ?)");
        for (const MetricPoint& p : points) {
            const int64_t key = keyId(*impl_, p.key);
            written[{p.run, key}].push_back({p.step, p.value, p.wallTime});
            insert.bind(1, p.run).bind(2, key).bind(3, p.step).bind(4, p.stage).bind(5, p.value).bind(6, p.wallTime);
            insert.run();
            auto [it, fresh] = ranges.try_emplace({p.run, p.stage}, p.step, p.step);
            if (!fresh) {
                it->second.first = std::min(it->second.first, p.step);
                it->second.second = std::max(it->second.second, p.step);
            }
        }
    }
    for (auto& [series, points] : written) {
        std::stable_sort(points.begin(), points.end(),
                         [](const SeriesPoint& a, const SeriesPoint& b) { return a.step < b.step; });
        updateRollups(impl_->db, series.first, series.second, points);
    }
    for (const auto& [key, range] : ranges) {
        impl_->db
            .prepare("UPDATE stages SET first_step = min(coalesce(first_step, ?1), ?1), "
                     "last_step = max(coalesce(last_step, ?2), ?2) WHERE run = ?3 AND idx = ?4")
            .bind(1, range.first)
            .bind(2, range.second)
            .bind(3, key.first)
            .bind(4, key.second)
            .run();
    }
    transaction.commit();
}

std::vector<std::string> RunStore::metricKeys(int64_t run) const
{
    // Skip-scan over the (run, key, step) key: one probe per distinct key, not one per row.
    auto stmt = impl_->db.prepare("SELECT name FROM metric_keys k WHERE EXISTS "
                                  "(SELECT 1 FROM metrics m WHERE m.run = ? AND m.key = k.id) ORDER BY name");
    stmt.bind(1, run);
    return readAll(stmt, valueColumn<std::string>);
}

std::vector<SeriesPoint> RunStore::series(int64_t run, const std::string& key, size_t maxPoints, int64_t fromStep,
                                          int64_t toStep) const
{
    std::vector<SeriesPoint> out;
    const auto keyId = existingKeyId(impl_->db, key);
    if (!keyId)
        return out;
    // Two index probes for the ends of the range; count(*) would scan the series, so the step
    // span stands in for the count (a key has at most one point per step).
    auto endStep = [&](bool lastEnd) -> std::optional<int64_t> {
        auto probe =
            impl_->db.prepare(std::string("SELECT step FROM metrics WHERE run = ? AND key = ? AND step BETWEEN ? "
                                          "AND ? ORDER BY step ") +
                              (lastEnd ? "DESC " : "") + "LIMIT 1");
        probe.bind(1, run).bind(2, *keyId).bind(3, fromStep).bind(4, toStep);
        return readFirst(probe, valueColumn<int64_t>);
    };
    const auto firstStep = endStep(false);
    if (!firstStep)
        return out;
    const int64_t first = *firstStep;
    const int64_t last = *endStep(true);

    auto readRaw = [&](int64_t from, int64_t to, auto&& sink) { forEachPoint(impl_->db, run, *keyId, from, to, sink); };
    if (maxPoints == 0 || static_cast<uint64_t>(last - first + 1) <= maxPoints) {
        readRaw(first, last, [&](const SeriesPoint& p) { out.push_back(p); });
        return out;
    }

    // Each bucket contributes up to four points (first, min, max, last, in step order).
    const int64_t buckets = std::max<int64_t>(1, static_cast<int64_t>(maxPoints) / 4);
    const int64_t bucketSteps = (last - first + 1) / buckets;
    out.reserve(maxPoints);
    Downsampler downsampler(first, last, buckets, out);
    auto add = [&](const SeriesPoint& p) { downsampler.add(p); };

    // The coarsest rollup at least twice as fine as an output bucket; none: scan the rows.
    int64_t width = 0;
    for (int64_t w : kRollupWidths)
        if (2 * w <= bucketSteps)
            width = w;
    if (width == 0) {
        readRaw(first, last, add);
        downsampler.flush();
        return out;
    }
    // Whole rollup buckets inside [first, last] come from the rollups; the partial ones at
    // either end from the rows.
    const int64_t firstWhole = (first + width - 1) / width;
    const int64_t lastWhole = (last + 1) / width - 1;
    if (firstWhole > lastWhole) {
        readRaw(first, last, add);
        downsampler.flush();
        return out;
    }
    readRaw(first, firstWhole * width - 1, add);
    for (const Rollup& r : readRollups(impl_->db, run, *keyId, width, firstWhole, lastWhole))
        r.emit(add);
    readRaw((lastWhole + 1) * width, last, add);
    downsampler.flush();
    return out;
}

int64_t RunStore::lastStep(int64_t run) const
{
    auto stmt = impl_->db.prepare("SELECT coalesce(max(last_step), -1) FROM stages WHERE run = ?");
    stmt.bind(1, run);
    return readFirst(stmt, valueColumn<int64_t>).value_or(-1);
}

} // namespace thinkbench::core
