// The run store's home: opening a file, and the life of a run — its row, its stages, its
// checkpoints, and what a resumed run drops. Metrics, samples, evaluations and annotations live in
// run_store_<concept>.cpp; the schema in store_schema.cpp.

#include "core/store/run_store.h"

#include "core/error.h"
#include "core/store/row_mapper.h"
#include "core/store/run_store_impl.h"
#include "core/store/store_schema.h"
#include "core/version.h"

#include <chrono>
#include <filesystem>
#include <unistd.h>

namespace thinkbench::core {

namespace {

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

constexpr auto kRunRow =
    rowMap("runs", rowId<&RunInfo::id>("id"), field<&RunInfo::name>("name"), field<&RunInfo::recipe>("recipe"),
           field<&RunInfo::status>("status"), field<&RunInfo::host>("host"), field<&RunInfo::version>("version"),
           field<&RunInfo::createdAt>("created_at"), field<&RunInfo::finishedAt>("coalesce(finished_at, 0)"),
           field<&RunInfo::stageCount>("(SELECT count(*) FROM stages s WHERE s.run = runs.id)"),
           field<&RunInfo::lastStep>("coalesce((SELECT max(last_step) FROM stages s WHERE s.run = runs.id), -1)"));

constexpr auto kStageRow = rowMap(
    "stages", rowId<&StageInfo::id>("id"), field<&StageInfo::run>("run"), field<&StageInfo::index>("idx"),
    field<&StageInfo::kind>("kind"), field<&StageInfo::name>("name"), field<&StageInfo::config>("config"),
    field<&StageInfo::status>("status"), field<&StageInfo::startedAt>("started_at"),
    field<&StageInfo::finishedAt>("coalesce(finished_at, 0)"), field<&StageInfo::firstStep>("coalesce(first_step, -1)"),
    field<&StageInfo::lastStep>("coalesce(last_step, -1)"), field<&StageInfo::worldSize>("world_size"),
    field<&StageInfo::backend>("backend"));

constexpr auto kCheckpointRow = rowMap("checkpoints", field<&CheckpointRecord::run>("run"),
                                       field<&CheckpointRecord::stage>("stage"), field<&CheckpointRecord::step>("step"),
                                       field<&CheckpointRecord::path>("path"), field<&CheckpointRecord::time>("time"));

} // namespace

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
    openSchema(impl_->db, readOnly);
    impl_->db.exec("PRAGMA foreign_keys = ON");
    if (!readOnly)
        impl_->db.exec("PRAGMA synchronous = NORMAL");
}

RunStore::~RunStore() = default;
RunStore::RunStore(RunStore&&) noexcept = default;
RunStore& RunStore::operator=(RunStore&&) noexcept = default;

int RunStore::schemaVersion() const
{
    return static_cast<int>(schemaVersionOf(impl_->db));
}

std::string RunStore::integrityCheck() const
{
    auto stmt = impl_->db.prepare("PRAGMA integrity_check");
    std::string result;
    for (const std::string& line : readAll(stmt, valueColumn<std::string>))
        result += (result.empty() ? "" : "\n") + line;
    return result;
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

std::vector<RunInfo> RunStore::listRuns() const
{
    auto stmt = impl_->db.prepare(kRunRow.select() + "ORDER BY id");
    return readAll(stmt, kRunRow);
}

std::optional<RunInfo> RunStore::run(int64_t id) const
{
    auto stmt = impl_->db.prepare(kRunRow.select() + "WHERE id = ?");
    stmt.bind(1, id);
    return readFirst(stmt, kRunRow);
}

int64_t RunStore::beginStage(int64_t run, int index, const std::string& kind, const std::string& name,
                             const std::string& configJson, int worldSize, const std::string& backend)
{
    // A resumed run begins the same stage again: keep its row (and its step range); it may resume
    // on another number of ranks.
    impl_->db
        .prepare("INSERT INTO stages (run, idx, kind, name, config, status, started_at, world_size, backend) "
                 "VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?) ON CONFLICT (run, idx) DO UPDATE SET "
                 "status = 'running', finished_at = NULL, world_size = excluded.world_size, "
                 "backend = excluded.backend")
        .bind(1, run)
        .bind(2, index)
        .bind(3, kind)
        .bind(4, name)
        .bind(5, configJson)
        .bind(6, nowSeconds())
        .bind(7, int64_t(worldSize))
        .bind(8, backend)
        .run();
    auto id = impl_->db.prepare("SELECT id FROM stages WHERE run = ? AND idx = ?");
    id.bind(1, run).bind(2, index);
    return readFirst(id, valueColumn<int64_t>).value_or(0);
}

void RunStore::setStageStatus(int64_t run, int index, const std::string& status)
{
    auto stmt = impl_->db.prepare("UPDATE stages SET status = ?, finished_at = ? WHERE run = ? AND idx = ?");
    stmt.bind(1, status);
    if (!isTerminal(status))
        stmt.bindNull(2);
    else
        stmt.bind(2, nowSeconds());
    stmt.bind(3, run).bind(4, index).run();
}

std::vector<StageInfo> RunStore::stages(int64_t run) const
{
    auto stmt = impl_->db.prepare(kStageRow.select() + "WHERE run = ? ORDER BY idx");
    stmt.bind(1, run);
    return readAll(stmt, kStageRow);
}

void RunStore::addCheckpoint(const CheckpointRecord& checkpoint)
{
    CheckpointRecord row = checkpoint;
    if (row.time <= 0)
        row.time = nowSeconds();
    auto stmt = impl_->db.prepare(kCheckpointRow.insert("INSERT OR REPLACE"));
    kCheckpointRow.bind(stmt, row);
    stmt.run();
}

std::vector<CheckpointRecord> RunStore::checkpoints(int64_t run) const
{
    auto stmt = impl_->db.prepare(kCheckpointRow.select() + "WHERE run = ? ORDER BY step, stage");
    stmt.bind(1, run);
    return readAll(stmt, kCheckpointRow);
}

void RunStore::discardFromStep(int64_t run, int64_t step)
{
    Transaction transaction(impl_->db);
    for (const char* sql :
         {"DELETE FROM samples WHERE run = ? AND step >= ?", "DELETE FROM evaluations WHERE run = ? AND step >= ?"})
        impl_->db.prepare(sql).bind(1, run).bind(2, step).run();
    transaction.commit();
}

} // namespace thinkbench::core
