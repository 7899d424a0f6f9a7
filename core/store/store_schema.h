#pragma once
// The run store's schema: the forward migrations that build it, and the checks made on open that
// keep a foreign or newer file untouched. Internal to the run store.

#include "core/store/sqlite_db.h"

#include <cstdint>

namespace thinkbench::core {

// Throws core::Error naming the file unless `db` is a ThinkBench run store (or an empty file)
// whose schema this build understands; unless readOnly, migrates it to RunStore::kSchemaVersion
// and switches it to WAL mode. A read-only open needs the current schema.
void openSchema(SqliteDb& db, bool readOnly);

// PRAGMA user_version: the schema version the file holds.
int64_t schemaVersionOf(SqliteDb& db);

} // namespace thinkbench::core
