#include "core/store/store_schema.h"

#include "core/error.h"
#include "core/store/row_mapper.h"
#include "core/store/run_store.h"
#include "core/store/series_rollups.h"

#include <string>
#include <vector>

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
    // Version 3: GRPO samples keep their group (the prompt's index within the step) and advantage,
    // so the trace stepper can show a group's responses side by side; a stop asked for through the
    // store (by a GUI that did not start the run), which the trainer polls between steps.
    R"sql(
ALTER TABLE samples ADD COLUMN group_index INTEGER;
ALTER TABLE samples ADD COLUMN advantage REAL;
CREATE INDEX samples_by_group ON samples (run, step, group_index);
CREATE TABLE stop_requests (
    run INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    requested_at REAL NOT NULL
);
)sql",
    // Version 4: how many processes ran a stage and on which c10d backend ('' for one process).
    R"sql(
ALTER TABLE stages ADD COLUMN world_size INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stages ADD COLUMN backend TEXT NOT NULL DEFAULT '';
)sql",
};
static_assert(RunStore::kSchemaVersion == 4, "add a migration for every schema version");

int64_t queryInt(SqliteDb& db, const std::string& sql)
{
    auto stmt = db.prepare(sql);
    return readFirst(stmt, valueColumn<int64_t>).value_or(0);
}

} // namespace

int64_t schemaVersionOf(SqliteDb& db)
{
    return queryInt(db, "PRAGMA user_version");
}

void openSchema(SqliteDb& db, bool readOnly)
{
    // Every check below only reads: a foreign or newer file is left exactly as it was.
    const int64_t applicationId = queryInt(db, "PRAGMA application_id");
    const int64_t version = schemaVersionOf(db);
    const int64_t tables = queryInt(db, "SELECT count(*) FROM sqlite_master");
    if (applicationId != kApplicationId && (applicationId != 0 || tables != 0 || version != 0))
        throw Error(db.path(), "", "not a ThinkBench run database");
    if (version < 0) // user_version is a signed 32-bit field: no migration starts below 0
        throw Error(db.path(), "", "schema version " + std::to_string(version) + " was never written by ThinkBench");
    if (version > RunStore::kSchemaVersion)
        throw Error(db.path(), "",
                    "schema version " + std::to_string(version) + " is newer than this ThinkBench understands (" +
                        std::to_string(RunStore::kSchemaVersion) + "); update ThinkBench");
    if (version < RunStore::kSchemaVersion && readOnly)
        throw Error(db.path(), "",
                    version == 0
                        ? "empty database, no runs yet"
                        : "schema version " + std::to_string(version) + " needs a migration; open it read-write once");
    if (readOnly)
        return;
    db.exec("PRAGMA journal_mode = WAL");
    for (int64_t v = version; v < RunStore::kSchemaVersion; ++v) {
        Transaction transaction(db);
        db.exec(kMigrations[static_cast<size_t>(v)]);
        if (v + 1 == 2)
            rebuildAllRollups(db);
        db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        db.exec("PRAGMA user_version = " + std::to_string(v + 1));
        transaction.commit();
    }
}

} // namespace thinkbench::core
