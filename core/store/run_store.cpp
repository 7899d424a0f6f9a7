#include "core/store/run_store.h"

#include "core/error.h"
#include "core/store/sqlite_db.h"
#include "core/version.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <filesystem>
#include <unistd.h>
#include <unordered_map>

namespace thinkbench::core {

namespace {

// 'TBRS': marks the file as a ThinkBench run store so a foreign SQLite file is never migrated.
constexpr int kApplicationId = 0x54425253;

// Forward migrations: entry i brings a database from user_version i to i + 1.
const std::vector<const char*> kMigrations = {
    R"sql(
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    recipe TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    finished_at REAL,
    host TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    first_step INTEGER,
    last_step INTEGER,
    UNIQUE (run, idx)
);
CREATE TABLE metric_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE metrics (
    run INTEGER NOT NULL,
    key INTEGER NOT NULL,
    step INTEGER NOT NULL,
    stage INTEGER NOT NULL,
    value REAL NOT NULL,
    wall_time REAL NOT NULL,
    PRIMARY KEY (run, key, step)
) WITHOUT ROWID;
CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage INTEGER NOT NULL,
    step INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    completion TEXT NOT NULL,
    reward_parts TEXT NOT NULL,
    reward REAL NOT NULL,
    correct INTEGER NOT NULL,
    token_count INTEGER NOT NULL,
    extracted TEXT NOT NULL,
    token_logprobs BLOB,
    token_entropies BLOB,
    token_ids BLOB
);
CREATE INDEX samples_by_step ON samples (run, step);
CREATE TABLE checkpoints (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage INTEGER NOT NULL,
    step INTEGER NOT NULL,
    path TEXT NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (run, stage, step)
);
CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    run INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    stage INTEGER NOT NULL,
    step INTEGER NOT NULL,
    model TEXT NOT NULL,
    dataset TEXT NOT NULL,
    k INTEGER NOT NULL,
    settings TEXT NOT NULL,
    summary TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE eval_items (
    id INTEGER PRIMARY KEY,
    evaluation INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    problem_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    truth TEXT NOT NULL,
    samples TEXT NOT NULL,
    pass1 REAL NOT NULL,
    cons_correct INTEGER NOT NULL
);
CREATE INDEX eval_items_by_evaluation ON eval_items (evaluation);
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY,
    sample INTEGER REFERENCES samples(id) ON DELETE CASCADE,
    eval_item INTEGER REFERENCES eval_items(id) ON DELETE CASCADE,
    sample_index INTEGER NOT NULL,
    step_begin INTEGER NOT NULL,
    step_end INTEGER NOT NULL,
    span_begin INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    label TEXT NOT NULL,
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    author TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE INDEX annotations_by_sample ON annotations (sample);
CREATE INDEX annotations_by_label ON annotations (label);
CREATE TABLE annotation_labels (
    position INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE
);
INSERT INTO annotation_labels (position, label) VALUES
    (0, 'correct step'), (1, 'error'), (2, 'self-verification'), (3, 'reflection'),
    (4, 'backtrack'), (5, 'redundant'), (6, 'language mixing');
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    prompt TEXT NOT NULL,
    model_a TEXT NOT NULL,
    model_b TEXT NOT NULL,
    completion_a TEXT NOT NULL,
    completion_b TEXT NOT NULL,
    vote TEXT NOT NULL,
    time REAL NOT NULL
);
)sql",
// Version 2: per-bucket summaries of every series (first, min, max, last point of each run of
// kRollupWidths[i] steps), so a long series downsamples from a few thousand rows, not millions.
    R"sql(
CREATE TABLE metric_rollups (
    run INTEGER NOT NULL,
    key INTEGER NOT NULL,
    width INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    first_step INTEGER NOT NULL, first_value REAL NOT NULL, first_time REAL NOT NULL,
    min_step INTEGER NOT NULL, min_value REAL NOT NULL, min_time REAL NOT NULL,
    max_step INTEGER NOT NULL, max_value REAL NOT NULL, max_time REAL NOT NULL,
    last_step INTEGER NOT NULL, last_value REAL NOT NULL, last_time REAL NOT NULL,
    PRIMARY KEY (run, key, width, bucket)
) WITHOUT ROWID;
)sql",
};
static_assert(RunStore::kSchemaVersion == 2, "add a migration for every schema version");

// Rollup widths in steps, finest first; each is a multiple of the one before.
constexpr int64_t kRollupWidths[] = {256, 16384};

// The first, lowest, highest and last point of a stretch of a series.
struct Rollup {
    SeriesPoint first, min, max, last;

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

// Statuses after which a run or stage gets a finish time.
bool isTerminal(const std::string& status)
{
    return status == "finished" || status == "failed" || status == "stopped";
}

std::string hostName()
{
    char buffer[256] = {};
    return gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "unknown";
}

int64_t queryInt(SqliteDb& db, const std::string& sql)
{
    auto stmt = db.prepare(sql);
    return stmt.step() ? stmt.int64(0) : 0;
}

template <typename T> void bindVector(Statement& stmt, int index, const std::vector<T>& values)
{
    if (values.empty())
        stmt.bindNull(index);
    else
        stmt.bindBlob(index, values.data(), values.size() * sizeof(T));
}

} // namespace

struct RunStore::Impl {
    Impl(const std::string& path, int flags)
        : db(path, flags)
    {
    }
    SqliteDb db;
    std::unordered_map<std::string, int64_t> keyIds;

    int64_t keyId(const std::string& name)
    {
        if (auto it = keyIds.find(name); it != keyIds.end())
            return it->second;
        auto find = db.prepare("SELECT id FROM metric_keys WHERE name = ?");
        find.bind(1, name);
        int64_t id;
        if (find.step()) {
            id = find.int64(0);
        } else {
            db.prepare("INSERT INTO metric_keys (name) VALUES (?)").bind(1, name).run();
            id = db.lastInsertId();
        }
        keyIds.emplace(name, id);
        return id;
    }

    std::optional<int64_t> existingKeyId(const std::string& name)
    {
        auto find = db.prepare("SELECT id FROM metric_keys WHERE name = ?");
        find.bind(1, name);
        if (!find.step())
            return std::nullopt;
        return find.int64(0);
    }

    std::optional<Rollup> loadRollup(int64_t run, int64_t key, int64_t width, int64_t bucket)
    {
        auto stmt = db.prepare(
            "SELECT first_step, first_value, first_time, min_step, min_value, min_time, "
            "max_step, max_value, max_time, last_step, last_value, last_time FROM metric_rollups "
            "WHERE run = ? AND key = ? AND width = ? AND bucket = ?");
        stmt.bind(1, run).bind(2, key).bind(3, width).bind(4, bucket);
        if (!stmt.step())
            return std::nullopt;
        auto point = [&](int c) {
            return SeriesPoint{stmt.int64(c), stmt.real(c + 1), stmt.real(c + 2)};
        };
        Rollup r(point(0));
        r.min = point(3);
        r.max = point(6);
        r.last = point(9);
        return r;
    }

    void storeRollup(int64_t run, int64_t key, int64_t width, int64_t bucket, const Rollup& r)
    {
        auto stmt = db.prepare("INSERT OR REPLACE INTO metric_rollups VALUES "
                               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        stmt.bind(1, run).bind(2, key).bind(3, width).bind(4, bucket);
        int c = 5;
        for (const SeriesPoint* p : {&r.first, &r.min, &r.max, &r.last})
            stmt.bind(c++, p->step).bind(c++, p->value).bind(c++, p->wallTime);
        stmt.run();
    }

    // Recomputes one bucket from the level below (raw rows for the finest level), for when
    // points inside an existing bucket were rewritten.
    std::optional<Rollup> recomputeRollup(int64_t run, int64_t key, size_t level, int64_t bucket)
    {
        const int64_t width = kRollupWidths[level];
        std::optional<Rollup> r;
        if (level == 0) {
            auto rows = db.prepare("SELECT step, value, wall_time FROM metrics WHERE run = ? AND "
                                   "key = ? AND step BETWEEN ? AND ? ORDER BY step");
            rows.bind(1, run).bind(2, key).bind(3, bucket * width).bind(4, (bucket + 1) * width - 1);
            while (rows.step()) {
                const SeriesPoint p{rows.int64(0), rows.real(1), rows.real(2)};
                r ? r->add(p) : void(r.emplace(p));
            }
            return r;
        }
        const int64_t finer = kRollupWidths[level - 1];
        const int64_t ratio = width / finer;
        for (int64_t b = bucket * ratio; b < (bucket + 1) * ratio; ++b) {
            if (auto part = loadRollup(run, key, finer, b))
                r ? r->merge(*part) : void(r.emplace(*part));
        }
        return r;
    }

    // Folds freshly written points (sorted by step) of one series into every rollup level.
    void updateRollups(int64_t run, int64_t key, const std::vector<SeriesPoint>& points)
    {
        for (size_t level = 0; level < std::size(kRollupWidths); ++level) {
            const int64_t width = kRollupWidths[level];
            for (size_t i = 0; i < points.size();) {
                const int64_t bucket = points[i].step / width;
                size_t end = i;
                while (end < points.size() && points[end].step / width == bucket)
                    ++end;
                std::optional<Rollup> r = loadRollup(run, key, width, bucket);
                if (r && points[i].step <= r->last.step) {
                    r = recomputeRollup(run, key, level, bucket); // a rewrite, not an append
                } else {
                    for (size_t j = i; j < end; ++j)
                        r ? r->add(points[j]) : void(r.emplace(points[j]));
                }
                storeRollup(run, key, width, bucket, *r);
                i = end;
            }
        }
    }

    void rebuildAllRollups()
    {
        db.exec("DELETE FROM metric_rollups");
        std::vector<std::pair<int64_t, int64_t>> series;
        auto keys = db.prepare("SELECT DISTINCT run, key FROM metrics");
        while (keys.step())
            series.emplace_back(keys.int64(0), keys.int64(1));
        for (const auto& [run, key] : series) {
            std::vector<SeriesPoint> points;
            auto rows = db.prepare("SELECT step, value, wall_time FROM metrics WHERE run = ? AND "
                                   "key = ? ORDER BY step");
            rows.bind(1, run).bind(2, key);
            while (rows.step())
                points.push_back({rows.int64(0), rows.real(1), rows.real(2)});
            updateRollups(run, key, points);
        }
    }

    void migrate(bool readOnly)
    {
        // Every check below only reads: a foreign or newer file is left exactly as it was.
        const int64_t applicationId = queryInt(db, "PRAGMA application_id");
        const int64_t version = queryInt(db, "PRAGMA user_version");
        const int64_t tables = queryInt(db, "SELECT count(*) FROM sqlite_master");
        if (applicationId != kApplicationId && (applicationId != 0 || tables != 0 || version != 0))
            throw Error(db.path(), "", "not a ThinkBench run database");
        if (version > kSchemaVersion)
            throw Error(db.path(), "",
                        "schema version " + std::to_string(version) +
                            " is newer than this ThinkBench understands (" +
                            std::to_string(kSchemaVersion) + "); update ThinkBench");
        if (version < kSchemaVersion && readOnly)
            throw Error(db.path(), "",
                        version == 0 ? "empty database, no runs yet"
                                     : "schema version " + std::to_string(version) +
                                           " needs a migration; open it read-write once");
        if (readOnly)
            return;
        db.exec("PRAGMA journal_mode = WAL");
        for (int64_t v = version; v < kSchemaVersion; ++v) {
            Transaction transaction(db);
            db.exec(kMigrations[static_cast<size_t>(v)]);
            if (v + 1 == 2)
                rebuildAllRollups();
            db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
            db.exec("PRAGMA user_version = " + std::to_string(v + 1));
            transaction.commit();
        }
    }
};

double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

RunStore::RunStore(const std::string& path, OpenMode mode)
    : path_(path)
{
    const bool readOnly = mode == OpenMode::ReadOnly;
    if (readOnly && !std::filesystem::exists(path))
        throw Error(path, "", "no such run database");
    const int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    impl_ = std::make_unique<Impl>(path, flags | SQLITE_OPEN_NOMUTEX);
    impl_->migrate(readOnly);
    impl_->db.exec("PRAGMA foreign_keys = ON");
    if (!readOnly)
        impl_->db.exec("PRAGMA synchronous = NORMAL");
}

RunStore::~RunStore() = default;
RunStore::RunStore(RunStore&&) noexcept = default;
RunStore& RunStore::operator=(RunStore&&) noexcept = default;

int RunStore::schemaVersion() const
{
    return static_cast<int>(queryInt(impl_->db, "PRAGMA user_version"));
}

int64_t RunStore::createRun(const std::string& name, const std::string& recipe)
{
    impl_->db
        .prepare("INSERT INTO runs (name, recipe, status, created_at, host, version) "
                 "VALUES (?, ?, 'running', ?, ?, ?)")
        .bind(1, name)
        .bind(2, recipe)
        .bind(3, nowSeconds())
        .bind(4, hostName())
        .bind(5, versionString())
        .run();
    return impl_->db.lastInsertId();
}

void RunStore::setRunStatus(int64_t run, const std::string& status)
{
    auto stmt = impl_->db.prepare("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?");
    stmt.bind(1, status);
    if (!isTerminal(status))
        stmt.bindNull(2);
    else
        stmt.bind(2, nowSeconds());
    stmt.bind(3, run).run();
}

namespace {
const char* kRunColumns =
    "SELECT r.id, r.name, r.recipe, r.status, r.host, r.version, r.created_at, "
    "coalesce(r.finished_at, 0), (SELECT count(*) FROM stages s WHERE s.run = r.id), "
    "coalesce((SELECT max(last_step) FROM stages s WHERE s.run = r.id), -1) FROM runs r ";

RunInfo readRun(const Statement& stmt)
{
    RunInfo info;
    info.id = stmt.int64(0);
    info.name = stmt.text(1);
    info.recipe = stmt.text(2);
    info.status = stmt.text(3);
    info.host = stmt.text(4);
    info.version = stmt.text(5);
    info.createdAt = stmt.real(6);
    info.finishedAt = stmt.real(7);
    info.stageCount = static_cast<int>(stmt.int64(8));
    info.lastStep = stmt.int64(9);
    return info;
}
} // namespace

std::vector<RunInfo> RunStore::listRuns() const
{
    auto stmt = impl_->db.prepare(std::string(kRunColumns) + "ORDER BY r.id");
    return readAll(stmt, readRun);
}

std::optional<RunInfo> RunStore::run(int64_t id) const
{
    auto stmt = impl_->db.prepare(std::string(kRunColumns) + "WHERE r.id = ?");
    stmt.bind(1, id);
    return readFirst(stmt, readRun);
}

int64_t RunStore::beginStage(int64_t run, int index, const std::string& kind,
                             const std::string& name, const std::string& configJson)
{
    // A resumed run begins the same stage again: keep its row (and its step range).
    impl_->db
        .prepare("INSERT INTO stages (run, idx, kind, name, config, status, started_at) "
                 "VALUES (?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (run, idx) DO UPDATE SET "
                 "status = 'running', finished_at = NULL")
        .bind(1, run)
        .bind(2, index)
        .bind(3, kind)
        .bind(4, name)
        .bind(5, configJson)
        .bind(6, nowSeconds())
        .run();
    auto id = impl_->db.prepare("SELECT id FROM stages WHERE run = ? AND idx = ?");
    id.bind(1, run).bind(2, index);
    id.step();
    return id.int64(0);
}

void RunStore::setStageStatus(int64_t run, int index, const std::string& status)
{
    auto stmt = impl_->db.prepare(
        "UPDATE stages SET status = ?, finished_at = ? WHERE run = ? AND idx = ?");
    stmt.bind(1, status);
    if (!isTerminal(status))
        stmt.bindNull(2);
    else
        stmt.bind(2, nowSeconds());
    stmt.bind(3, run).bind(4, index).run();
}

std::vector<StageInfo> RunStore::stages(int64_t run) const
{
    auto stmt = impl_->db.prepare(
        "SELECT id, run, idx, kind, name, config, status, started_at, coalesce(finished_at, 0), "
        "coalesce(first_step, -1), coalesce(last_step, -1) FROM stages WHERE run = ? ORDER BY idx");
    stmt.bind(1, run);
    std::vector<StageInfo> out;
    while (stmt.step()) {
        StageInfo s;
        s.id = stmt.int64(0);
        s.run = stmt.int64(1);
        s.index = static_cast<int>(stmt.int64(2));
        s.kind = stmt.text(3);
        s.name = stmt.text(4);
        s.config = stmt.text(5);
        s.status = stmt.text(6);
        s.startedAt = stmt.real(7);
        s.finishedAt = stmt.real(8);
        s.firstStep = stmt.int64(9);
        s.lastStep = stmt.int64(10);
        out.push_back(std::move(s));
    }
    return out;
}

void RunStore::appendMetrics(const std::vector<MetricPoint>& points)
{
    if (points.empty())
        return;
    Transaction transaction(impl_->db);
    // Step range per (run, stage), so stage boundaries are known without scanning metrics.
    std::map<std::pair<int64_t, int>, std::pair<int64_t, int64_t>> ranges;
    std::map<std::pair<int64_t, int64_t>, std::vector<SeriesPoint>> written;
    {
        auto insert = impl_->db.prepare(
            "INSERT OR REPLACE INTO metrics (run, key, step, stage, value, wall_time) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        for (const MetricPoint& p : points) {
            const int64_t key = impl_->keyId(p.key);
            written[{p.run, key}].push_back({p.step, p.value, p.wallTime});
            insert.bind(1, p.run)
                .bind(2, key)
                .bind(3, p.step)
                .bind(4, p.stage)
                .bind(5, p.value)
                .bind(6, p.wallTime);
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
        impl_->updateRollups(series.first, series.second, points);
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
    std::vector<std::string> keys;
    auto all = impl_->db.prepare("SELECT id, name FROM metric_keys ORDER BY name");
    auto has = impl_->db.prepare("SELECT 1 FROM metrics WHERE run = ? AND key = ? LIMIT 1");
    while (all.step()) {
        has.bind(1, run).bind(2, all.int64(0));
        if (has.step())
            keys.push_back(all.text(1));
        has.reset();
    }
    return keys;
}

std::vector<SeriesPoint> RunStore::series(int64_t run, const std::string& key, size_t maxPoints,
                                          int64_t fromStep, int64_t toStep) const
{
    std::vector<SeriesPoint> out;
    const auto keyId = impl_->existingKeyId(key);
    if (!keyId)
        return out;
    // Two index probes for the ends of the range; count(*) would scan the series, so the step
    // span stands in for the count (a key has at most one point per step).
    auto endStep = [&](bool lastEnd) -> std::optional<int64_t> {
        auto probe = impl_->db.prepare(
            std::string("SELECT step FROM metrics WHERE run = ? AND key = ? AND step BETWEEN ? "
                        "AND ? ORDER BY step ") +
            (lastEnd ? "DESC " : "") + "LIMIT 1");
        probe.bind(1, run).bind(2, *keyId).bind(3, fromStep).bind(4, toStep);
        if (!probe.step())
            return std::nullopt;
        return probe.int64(0);
    };
    const auto firstStep = endStep(false);
    if (!firstStep)
        return out;
    const int64_t first = *firstStep;
    const int64_t last = *endStep(true);

    auto rows = impl_->db.prepare("SELECT step, value, wall_time FROM metrics "
                                  "WHERE run = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY step");
    auto readRaw = [&](int64_t from, int64_t to, auto&& sink) {
        rows.bind(1, run).bind(2, *keyId).bind(3, from).bind(4, to);
        while (rows.step())
            sink(SeriesPoint{rows.int64(0), rows.real(1), rows.real(2)});
        rows.reset();
    };
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
    auto rollups = impl_->db.prepare(
        "SELECT first_step, first_value, first_time, min_step, min_value, min_time, max_step, "
        "max_value, max_time, last_step, last_value, last_time FROM metric_rollups "
        "WHERE run = ? AND key = ? AND width = ? AND bucket BETWEEN ? AND ? ORDER BY bucket");
    rollups.bind(1, run).bind(2, *keyId).bind(3, width).bind(4, firstWhole).bind(5, lastWhole);
    while (rollups.step()) {
        auto point = [&](int c) {
            return SeriesPoint{rollups.int64(c), rollups.real(c + 1), rollups.real(c + 2)};
        };
        Rollup r(point(0));
        r.min = point(3);
        r.max = point(6);
        r.last = point(9);
        r.emit(add);
    }
    readRaw((lastWhole + 1) * width, last, add);
    downsampler.flush();
    return out;
}

int64_t RunStore::lastStep(int64_t run) const
{
    auto stmt = impl_->db.prepare("SELECT coalesce(max(last_step), -1) FROM stages WHERE run = ?");
    stmt.bind(1, run);
    return stmt.step() ? stmt.int64(0) : -1;
}

void RunStore::discardFromStep(int64_t run, int64_t step)
{
    Transaction transaction(impl_->db);
    for (const char* sql : {"DELETE FROM samples WHERE run = ? AND step >= ?",
                            "DELETE FROM evaluations WHERE run = ? AND step >= ?"})
        impl_->db.prepare(sql).bind(1, run).bind(2, step).run();
    transaction.commit();
}

void RunStore::addSamples(std::vector<SampleRecord>& samples)
{
    if (samples.empty())
        return;
    Transaction transaction(impl_->db);
    auto insert = impl_->db.prepare(
        "INSERT INTO samples (run, stage, step, prompt, completion, reward_parts, reward, correct, "
        "token_count, extracted, token_logprobs, token_entropies, token_ids) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (SampleRecord& s : samples) {
        insert.bind(1, s.run)
            .bind(2, s.stage)
            .bind(3, s.step)
            .bind(4, s.prompt)
            .bind(5, s.completion)
            .bind(6, s.rewardParts)
            .bind(7, s.reward)
            .bind(8, s.correct ? 1 : 0)
            .bind(9, s.tokenCount)
            .bind(10, s.extracted);
        bindVector(insert, 11, s.tokenLogprobs);
        bindVector(insert, 12, s.tokenEntropies);
        bindVector(insert, 13, s.tokenIds);
        insert.run();
        s.id = impl_->db.lastInsertId();
    }
    transaction.commit();
}

namespace {
const char* kSampleColumns =
    "SELECT s.id, s.run, s.stage, s.step, s.prompt, s.completion, s.reward_parts, s.reward, "
    "s.correct, s.token_count, s.extracted, s.token_logprobs, s.token_entropies, s.token_ids "
    "FROM samples s ";

SampleRecord readSample(const Statement& stmt)
{
    SampleRecord s;
    s.id = stmt.int64(0);
    s.run = stmt.int64(1);
    s.stage = static_cast<int>(stmt.int64(2));
    s.step = stmt.int64(3);
    s.prompt = stmt.text(4);
    s.completion = stmt.text(5);
    s.rewardParts = stmt.text(6);
    s.reward = stmt.real(7);
    s.correct = stmt.int64(8) != 0;
    s.tokenCount = static_cast<int>(stmt.int64(9));
    s.extracted = stmt.text(10);
    s.tokenLogprobs = stmt.blob<float>(11);
    s.tokenEntropies = stmt.blob<float>(12);
    s.tokenIds = stmt.blob<int32_t>(13);
    return s;
}
} // namespace

std::vector<SampleRecord> RunStore::samples(const SampleFilter& filter) const
{
    // NULL parameters disable their condition, so one cached statement serves every filter.
    auto stmt = impl_->db.prepare(
        std::string(kSampleColumns) +
        "WHERE (?1 IS NULL OR s.run = ?1) AND (?2 IS NULL OR s.step = ?2) "
        "AND (?3 IS NULL OR s.stage = ?3) AND (?4 IS NULL OR EXISTS (SELECT 1 FROM annotations a "
        "WHERE a.sample = s.id AND a.label = ?4)) ORDER BY s.id LIMIT ?5");
    filter.run ? stmt.bind(1, *filter.run) : stmt.bindNull(1);
    filter.step ? stmt.bind(2, *filter.step) : stmt.bindNull(2);
    filter.stage ? stmt.bind(3, *filter.stage) : stmt.bindNull(3);
    filter.label ? stmt.bind(4, *filter.label) : stmt.bindNull(4);
    stmt.bind(5, filter.limit);
    return readAll(stmt, readSample);
}

std::optional<SampleRecord> RunStore::sample(int64_t id) const
{
    auto stmt = impl_->db.prepare(std::string(kSampleColumns) + "WHERE s.id = ?");
    stmt.bind(1, id);
    return readFirst(stmt, readSample);
}

std::vector<int64_t> RunStore::sampleSteps(int64_t run) const
{
    auto stmt =
        impl_->db.prepare("SELECT DISTINCT step FROM samples WHERE run = ? ORDER BY step");
    stmt.bind(1, run);
    std::vector<int64_t> steps;
    while (stmt.step())
        steps.push_back(stmt.int64(0));
    return steps;
}

void RunStore::addCheckpoint(const CheckpointRecord& c)
{
    impl_->db
        .prepare("INSERT OR REPLACE INTO checkpoints (run, stage, step, path, time) "
                 "VALUES (?, ?, ?, ?, ?)")
        .bind(1, c.run)
        .bind(2, c.stage)
        .bind(3, c.step)
        .bind(4, c.path)
        .bind(5, c.time > 0 ? c.time : nowSeconds())
        .run();
}

std::vector<CheckpointRecord> RunStore::checkpoints(int64_t run) const
{
    auto stmt = impl_->db.prepare("SELECT run, stage, step, path, time FROM checkpoints "
                                  "WHERE run = ? ORDER BY step, stage");
    stmt.bind(1, run);
    std::vector<CheckpointRecord> out;
    while (stmt.step())
        out.push_back({stmt.int64(0), static_cast<int>(stmt.int64(1)), stmt.int64(2),
                       stmt.text(3), stmt.real(4)});
    return out;
}

int64_t RunStore::addEvaluation(EvaluationRecord& e, std::vector<EvalItemRecord>& items)
{
    Transaction transaction(impl_->db);
    auto insert = impl_->db.prepare(
        "INSERT INTO evaluations (run, stage, step, model, dataset, k, settings, summary, time) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    e.run ? insert.bind(1, *e.run) : insert.bindNull(1);
    if (e.time <= 0)
        e.time = nowSeconds();
    insert.bind(2, e.stage)
        .bind(3, e.step)
        .bind(4, e.model)
        .bind(5, e.dataset)
        .bind(6, e.k)
        .bind(7, e.settings)
        .bind(8, e.summary)
        .bind(9, e.time)
        .run();
    e.id = impl_->db.lastInsertId();
    auto item = impl_->db.prepare(
        "INSERT INTO eval_items (evaluation, problem_id, prompt, truth, samples, pass1, "
        "cons_correct) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (EvalItemRecord& it : items) {
        it.evaluation = e.id;
        item.bind(1, e.id)
            .bind(2, it.problemId)
            .bind(3, it.prompt)
            .bind(4, it.truth)
            .bind(5, it.samples)
            .bind(6, it.pass1)
            .bind(7, it.consCorrect ? 1 : 0)
            .run();
        it.id = impl_->db.lastInsertId();
    }
    transaction.commit();
    return e.id;
}

std::vector<EvaluationRecord> RunStore::evaluations(std::optional<int64_t> run) const
{
    auto stmt = impl_->db.prepare(
        "SELECT id, run, stage, step, model, dataset, k, settings, summary, time FROM evaluations "
        "WHERE ?1 IS NULL OR run = ?1 ORDER BY id");
    run ? stmt.bind(1, *run) : stmt.bindNull(1);
    std::vector<EvaluationRecord> out;
    while (stmt.step()) {
        EvaluationRecord e;
        e.id = stmt.int64(0);
        if (!stmt.isNull(1))
            e.run = stmt.int64(1);
        e.stage = static_cast<int>(stmt.int64(2));
        e.step = stmt.int64(3);
        e.model = stmt.text(4);
        e.dataset = stmt.text(5);
        e.k = static_cast<int>(stmt.int64(6));
        e.settings = stmt.text(7);
        e.summary = stmt.text(8);
        e.time = stmt.real(9);
        out.push_back(std::move(e));
    }
    return out;
}

namespace {
const char* kEvalItemColumns = "SELECT id, evaluation, problem_id, prompt, truth, samples, pass1, "
                               "cons_correct FROM eval_items ";
EvalItemRecord readEvalItem(const Statement& stmt)
{
    EvalItemRecord it;
    it.id = stmt.int64(0);
    it.evaluation = stmt.int64(1);
    it.problemId = stmt.text(2);
    it.prompt = stmt.text(3);
    it.truth = stmt.text(4);
    it.samples = stmt.text(5);
    it.pass1 = stmt.real(6);
    it.consCorrect = stmt.int64(7) != 0;
    return it;
}
} // namespace

std::vector<EvalItemRecord> RunStore::evalItems(int64_t evaluation) const
{
    auto stmt = impl_->db.prepare(std::string(kEvalItemColumns) + "WHERE evaluation = ? ORDER BY id");
    stmt.bind(1, evaluation);
    return readAll(stmt, readEvalItem);
}

std::optional<EvalItemRecord> RunStore::evalItem(int64_t id) const
{
    auto stmt = impl_->db.prepare(std::string(kEvalItemColumns) + "WHERE id = ?");
    stmt.bind(1, id);
    return readFirst(stmt, readEvalItem);
}

int64_t RunStore::addAnnotation(const AnnotationRecord& a)
{
    auto stmt = impl_->db.prepare(
        "INSERT INTO annotations (sample, eval_item, sample_index, step_begin, step_end, "
        "span_begin, span_end, label, verdict, note, author, time) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    a.sample ? stmt.bind(1, *a.sample) : stmt.bindNull(1);
    a.evalItem ? stmt.bind(2, *a.evalItem) : stmt.bindNull(2);
    stmt.bind(3, a.sampleIndex)
        .bind(4, a.stepBegin)
        .bind(5, a.stepEnd)
        .bind(6, a.spanBegin)
        .bind(7, a.spanEnd)
        .bind(8, a.label)
        .bind(9, a.verdict)
        .bind(10, a.note)
        .bind(11, a.author)
        .bind(12, a.time > 0 ? a.time : nowSeconds())
        .run();
    return impl_->db.lastInsertId();
}

void RunStore::removeAnnotation(int64_t id)
{
    impl_->db.prepare("DELETE FROM annotations WHERE id = ?").bind(1, id).run();
}

namespace {
const char* kAnnotationColumns =
    "SELECT id, sample, eval_item, sample_index, step_begin, step_end, span_begin, span_end, "
    "label, verdict, note, author, time FROM annotations ";

AnnotationRecord readAnnotation(const Statement& stmt)
{
    AnnotationRecord a;
    a.id = stmt.int64(0);
    if (!stmt.isNull(1))
        a.sample = stmt.int64(1);
    if (!stmt.isNull(2))
        a.evalItem = stmt.int64(2);
    a.sampleIndex = static_cast<int>(stmt.int64(3));
    a.stepBegin = static_cast<int>(stmt.int64(4));
    a.stepEnd = static_cast<int>(stmt.int64(5));
    a.spanBegin = static_cast<int>(stmt.int64(6));
    a.spanEnd = static_cast<int>(stmt.int64(7));
    a.label = stmt.text(8);
    a.verdict = stmt.text(9);
    a.note = stmt.text(10);
    a.author = stmt.text(11);
    a.time = stmt.real(12);
    return a;
}
} // namespace

std::vector<AnnotationRecord> RunStore::annotationsForSample(int64_t sample) const
{
    auto stmt = impl_->db.prepare(std::string(kAnnotationColumns) + "WHERE sample = ? ORDER BY id");
    stmt.bind(1, sample);
    return readAll(stmt, readAnnotation);
}

std::vector<AnnotationRecord> RunStore::annotationsForEvalItem(int64_t item, int sampleIndex) const
{
    auto stmt = impl_->db.prepare(std::string(kAnnotationColumns) +
                                  "WHERE eval_item = ? AND sample_index = ? ORDER BY id");
    stmt.bind(1, item).bind(2, sampleIndex);
    return readAll(stmt, readAnnotation);
}

std::vector<AnnotationRecord> RunStore::annotations(std::optional<std::string> label) const
{
    auto stmt = impl_->db.prepare(std::string(kAnnotationColumns) +
                                  "WHERE ?1 IS NULL OR label = ?1 ORDER BY id");
    label ? stmt.bind(1, *label) : stmt.bindNull(1);
    return readAll(stmt, readAnnotation);
}

std::vector<std::string> RunStore::annotationLabels() const
{
    auto stmt = impl_->db.prepare("SELECT label FROM annotation_labels ORDER BY position");
    std::vector<std::string> labels;
    while (stmt.step())
        labels.push_back(stmt.text(0));
    return labels;
}

void RunStore::setAnnotationLabels(const std::vector<std::string>& labels)
{
    Transaction transaction(impl_->db);
    impl_->db.exec("DELETE FROM annotation_labels");
    auto insert = impl_->db.prepare("INSERT INTO annotation_labels (position, label) VALUES (?, ?)");
    for (size_t i = 0; i < labels.size(); ++i)
        insert.bind(1, static_cast<int64_t>(i)).bind(2, labels[i]).run();
    transaction.commit();
}

int64_t RunStore::addVote(const VoteRecord& v)
{
    impl_->db
        .prepare("INSERT INTO votes (prompt, model_a, model_b, completion_a, completion_b, vote, "
                 "time) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, v.prompt)
        .bind(2, v.modelA)
        .bind(3, v.modelB)
        .bind(4, v.completionA)
        .bind(5, v.completionB)
        .bind(6, v.vote)
        .bind(7, v.time > 0 ? v.time : nowSeconds())
        .run();
    return impl_->db.lastInsertId();
}

std::vector<VoteRecord> RunStore::votes() const
{
    auto stmt = impl_->db.prepare("SELECT id, prompt, model_a, model_b, completion_a, "
                                  "completion_b, vote, time FROM votes ORDER BY id");
    std::vector<VoteRecord> out;
    while (stmt.step())
        out.push_back({stmt.int64(0), stmt.text(1), stmt.text(2), stmt.text(3), stmt.text(4),
                       stmt.text(5), stmt.text(6), stmt.real(7)});
    return out;
}

std::string RunStore::integrityCheck() const
{
    auto stmt = impl_->db.prepare("PRAGMA integrity_check");
    std::string result;
    while (stmt.step())
        result += (result.empty() ? "" : "\n") + stmt.text(0);
    return result;
}

} // namespace thinkbench::core
