#include "core/store/sqlite_db.h"

#include "core/error.h"

namespace thinkbench::core {

Statement::Statement(SqliteDb& db, sqlite3_stmt* stmt)
    : db_(db)
    , stmt_(stmt)
{
}

Statement::~Statement()
{
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, int64_t value)
{
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        db_.fail(sqlite3_sql(stmt_));
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK)
        db_.fail(sqlite3_sql(stmt_));
    return *this;
}

Statement& Statement::bind(int index, std::string_view text)
{
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
        db_.fail(sqlite3_sql(stmt_));
    return *this;
}

Statement& Statement::bindBlob(int index, const void* data, size_t bytes)
{
    if (sqlite3_bind_blob(stmt_, index, bytes ? data : "", static_cast<int>(bytes), SQLITE_TRANSIENT) != SQLITE_OK)
        db_.fail(sqlite3_sql(stmt_));
    return *this;
}

Statement& Statement::bindNull(int index)
{
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        db_.fail(sqlite3_sql(stmt_));
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    db_.fail(sqlite3_sql(stmt_));
}

void Statement::run()
{
    while (step()) {
    }
    reset();
}

void Statement::reset()
{
    sqlite3_reset(stmt_);
}

void Statement::fail(const std::string& message) const
{
    throw Error(db_.path(), "", message + " (in: " + std::string(sqlite3_sql(stmt_)).substr(0, 80) + ")");
}

std::string Statement::text(int column) const
{
    const auto* data = sqlite3_column_text(stmt_, column);
    return data ? std::string(reinterpret_cast<const char*>(data),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
}

SqliteDb::SqliteDb(const std::string& path, int flags)
    : path_(path)
{
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(path, "", "cannot open database: " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    // A writer holds the lock only for a batch; readers and writers wait instead of failing.
    sqlite3_busy_timeout(db_, 10000);
}

SqliteDb::~SqliteDb()
{
    for (auto& [sql, stmt] : cache_)
        sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Statement SqliteDb::prepare(const std::string& sql)
{
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
            fail(sql);
        it = cache_.emplace(sql, stmt).first;
    }
    return Statement(*this, it->second);
}

void SqliteDb::exec(const std::string& sql)
{
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message ? message : sqlite3_errmsg(db_);
        sqlite3_free(message);
        throw Error(path_, "", text);
    }
}

void SqliteDb::fail(const std::string& what) const
{
    const int code = sqlite3_extended_errcode(db_);
    std::string message = sqlite3_errmsg(db_);
    if ((code & 0xff) == SQLITE_NOTADB)
        message = "not a ThinkBench run database (not an SQLite file)";
    throw Error(path_, "", message + (what.empty() ? "" : " (in: " + what.substr(0, 80) + ")"));
}

Transaction::Transaction(SqliteDb& db)
    : db_(db)
{
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void Transaction::commit()
{
    db_.exec("COMMIT");
    done_ = true;
}

} // namespace thinkbench::core
