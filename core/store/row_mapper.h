#pragma once
// One typed row mapper: a row type's columns are listed once, as (SQL name, struct field) pairs,
// and that list writes the SELECT and INSERT text, reads a result row into the struct and binds
// the struct for an insert. A query whose column count differs from the list is an error naming
// the database file and the query, not a silently shifted row.
//
//   constexpr auto kVoteRow = rowMap("votes", rowId<&VoteRecord::id>("id"),
//                                    field<&VoteRecord::prompt>("prompt"), ...);
//   auto stmt = db.prepare(kVoteRow.select() + "ORDER BY id");
//   std::vector<VoteRecord> votes = readAll(stmt, kVoteRow);

#include "core/store/sqlite_db.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

// How one C++ field type is read from and bound to SQLite.
inline void readValue(const Statement& stmt, int column, int64_t& value)
{
    value = stmt.int64(column);
}
inline void readValue(const Statement& stmt, int column, int& value)
{
    value = static_cast<int>(stmt.int64(column));
}
inline void readValue(const Statement& stmt, int column, bool& value)
{
    value = stmt.int64(column) != 0;
}
inline void readValue(const Statement& stmt, int column, double& value)
{
    value = stmt.real(column);
}
inline void readValue(const Statement& stmt, int column, std::string& value)
{
    value = stmt.text(column);
}
// NULL reads as an empty optional.
template <typename T> void readValue(const Statement& stmt, int column, std::optional<T>& value)
{
    value.reset();
    if (!stmt.isNull(column))
        readValue(stmt, column, value.emplace());
}
// A BLOB of packed elements; NULL reads as empty.
template <typename T> void readValue(const Statement& stmt, int column, std::vector<T>& value)
{
    value = stmt.blob<T>(column);
}

inline void bindValue(Statement& stmt, int index, int64_t value)
{
    stmt.bind(index, value);
}
inline void bindValue(Statement& stmt, int index, int value)
{
    stmt.bind(index, value);
}
inline void bindValue(Statement& stmt, int index, bool value)
{
    stmt.bind(index, value ? 1 : 0);
}
inline void bindValue(Statement& stmt, int index, double value)
{
    stmt.bind(index, value);
}
inline void bindValue(Statement& stmt, int index, const std::string& value)
{
    stmt.bind(index, value);
}
template <typename T> void bindValue(Statement& stmt, int index, const std::optional<T>& value)
{
    value ? bindValue(stmt, index, *value) : void(stmt.bindNull(index));
}
// An empty vector is stored as NULL, so "not recorded" costs no bytes.
template <typename T> void bindValue(Statement& stmt, int index, const std::vector<T>& value)
{
    value.empty() ? void(stmt.bindNull(index)) : void(stmt.bindBlob(index, value.data(), value.size() * sizeof(T)));
}

// One column of a row type: its SQL text and how to move it in and out of the row.
template <typename Row> struct Column {
    std::string_view sql; // a column name, or an expression for a column that is only read
    bool assigned;        // SQLite assigns it (INTEGER PRIMARY KEY): read, never inserted
    void (*read)(const Statement& stmt, int column, Row& row);
    void (*bind)(Statement& stmt, int index, const Row& row);
};

namespace row_mapper_detail {
template <typename Pointer> struct Owner;
template <typename Field, typename Class> struct Owner<Field Class::*> {
    using type = Class;
};
// row.*A.*B... for a path of member pointers into nested structs.
template <auto First, auto... Rest, typename Object> constexpr auto& member(Object& object)
{
    if constexpr (sizeof...(Rest) == 0)
        return object.*First;
    else
        return member<Rest...>(object.*First);
}
template <bool Assigned, auto First, auto... Rest> constexpr auto column(std::string_view sql)
{
    using Row = typename Owner<decltype(First)>::type;
    return Column<Row>{sql, Assigned,
                       [](const Statement& stmt, int c, Row& row) { readValue(stmt, c, member<First, Rest...>(row)); },
                       [](Statement& stmt, int i, const Row& row) { bindValue(stmt, i, member<First, Rest...>(row)); }};
}
} // namespace row_mapper_detail

// A column stored in the field reached by a path of member pointers (one, or several into nested
// structs: field<&RollupRow::rollup, &Rollup::min, &SeriesPoint::step>("min_step")).
template <auto First, auto... Rest> constexpr auto field(std::string_view sql)
{
    return row_mapper_detail::column<false, First, Rest...>(sql);
}

// The table's INTEGER PRIMARY KEY: read back, left out of inserts.
template <auto First, auto... Rest> constexpr auto rowId(std::string_view sql)
{
    return row_mapper_detail::column<true, First, Rest...>(sql);
}

template <typename Row, size_t N> class RowMap {
public:
    constexpr RowMap(std::string_view table, std::array<Column<Row>, N> columns)
        : table_(table)
        , columns_(columns)
    {
    }

    // "SELECT <every column> FROM <table> "; the caller appends WHERE and ORDER BY.
    std::string select() const
    {
        std::string sql = "SELECT ";
        for (size_t i = 0; i < N; ++i)
            sql.append(i ? ", " : "").append(columns_[i].sql);
        return sql.append(" FROM ").append(table_).append(" ");
    }

    // "<verb> INTO <table> (<columns SQLite does not assign>) VALUES (?, ...)", bound by bind().
    std::string insert(std::string_view verb = "INSERT") const
    {
        std::string names, slots;
        for (const Column<Row>& c : columns_) {
            if (c.assigned)
                continue;
            names.append(names.empty() ? "" : ", ").append(c.sql);
            slots.append(slots.empty() ? "?" : ", ?");
        }
        return std::string(verb)
            .append(" INTO ")
            .append(table_)
            .append(" (")
            .append(names)
            .append(") VALUES (")
            .append(slots)
            .append(")");
    }

    // Binds the row to an insert() statement.
    void bind(Statement& stmt, const Row& row) const
    {
        int index = 1;
        for (const Column<Row>& c : columns_)
            if (!c.assigned)
                c.bind(stmt, index++, row);
    }

    // Reads the current result row; a reader for readAll, readFirst and forEachRow.
    Row operator()(const Statement& stmt) const
    {
        if (stmt.columnCount() != static_cast<int>(N))
            stmt.fail("the query returns " + std::to_string(stmt.columnCount()) + " columns but the row mapper for '" +
                      std::string(table_) + "' reads " + std::to_string(N));
        Row row{};
        for (size_t i = 0; i < N; ++i)
            columns_[i].read(stmt, static_cast<int>(i), row);
        return row;
    }

private:
    std::string_view table_;
    std::array<Column<Row>, N> columns_;
};

// The row map of `table` with these columns, in result order.
template <typename Row, typename... More> constexpr auto rowMap(std::string_view table, Column<Row> first, More... more)
{
    return RowMap<Row, 1 + sizeof...(More)>(table, {first, more...});
}

// Reads a one-column result as plain values: readAll(stmt, valueColumn<int64_t>).
template <typename T> struct ValueColumn {
    T operator()(const Statement& stmt) const
    {
        if (stmt.columnCount() != 1)
            stmt.fail("the query returns " + std::to_string(stmt.columnCount()) +
                      " columns where one value was expected");
        T value{};
        readValue(stmt, 0, value);
        return value;
    }
};
template <typename T> inline constexpr ValueColumn<T> valueColumn{};

} // namespace thinkbench::core
