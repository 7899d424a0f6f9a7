#pragma once
// A thin RAII layer over the SQLite C API: a connection with a cache of prepared statements, and a
// statement wrapper that binds by position and reads columns by index. Errors become core::Error
// naming the database file and the statement. row_mapper.h maps whole rows onto structs.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace thinkbench::core {

class SqliteDb;

class Statement {
public:
    Statement(SqliteDb& db, sqlite3_stmt* stmt);
    ~Statement(); // resets the statement so the cached one can be reused

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bindBlob(int index, const void* data, size_t bytes);
    Statement& bindNull(int index);

    bool step();  // true while a row is available
    void run();   // steps to completion and resets, so the statement can be bound again
    void reset(); // ends a row loop early

    int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
    double real(int column) const { return sqlite3_column_double(stmt_, column); }
    std::string text(int column) const;
    bool isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    int columnCount() const { return sqlite3_column_count(stmt_); }
    template <typename T> std::vector<T> blob(int column) const
    {
        const auto* data = static_cast<const T*>(sqlite3_column_blob(stmt_, column));
        const size_t count = static_cast<size_t>(sqlite3_column_bytes(stmt_, column)) / sizeof(T);
        return data ? std::vector<T>(data, data + count) : std::vector<T>{};
    }

    // Throws core::Error naming the database file, `message` and this statement's SQL.
    [[noreturn]] void fail(const std::string& message) const;

private:
    SqliteDb& db_;
    sqlite3_stmt* stmt_;
};

class SqliteDb {
public:
    SqliteDb(const std::string& path, int flags);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    // A cached prepared statement for `sql` (prepared once per connection).
    Statement prepare(const std::string& sql);
    void exec(const std::string& sql);
    int64_t lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
    [[noreturn]] void fail(const std::string& what) const;
    const std::string& path() const { return path_; }

private:
    std::string path_;
    sqlite3* db_ = nullptr;
    std::map<std::string, sqlite3_stmt*> cache_;
};

// Calls sink(read(stmt)) for every row of a statement, without collecting them.
template <typename Read, typename Sink> void forEachRow(Statement& stmt, const Read& read, Sink&& sink)
{
    while (stmt.step())
        sink(read(stmt));
}

// Every row of a statement, each read by `read(stmt)`.
template <typename Read> auto readAll(Statement& stmt, const Read& read)
{
    std::vector<decltype(read(stmt))> rows;
    forEachRow(stmt, read, [&](auto&& row) { rows.push_back(std::move(row)); });
    return rows;
}

// The first row of a statement, if any. The statement is reset after it: one left on its row would
// hold its read snapshot open, and a write that follows on the connection would have to upgrade it,
// which SQLite refuses at once ("database is locked") when another connection committed meanwhile.
template <typename Read> auto readFirst(Statement& stmt, const Read& read)
{
    using Row = decltype(read(stmt));
    std::optional<Row> row;
    if (stmt.step())
        row.emplace(read(stmt));
    stmt.reset();
    return row;
}

// Commits on commit(), rolls back when destroyed without it (an exception on the way).
class Transaction {
public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    void commit();

private:
    SqliteDb& db_;
    bool done_ = false;
};

} // namespace thinkbench::core
