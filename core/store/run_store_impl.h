#pragma once
// What a RunStore holds, shared by the files that implement it by concept (run_store.cpp,
// run_store_metrics.cpp, run_store_samples.cpp, ...). Internal to the run store.

#include "core/store/run_store.h"
#include "core/store/sqlite_db.h"

#include <cstdint>
#include <string>
#include <unordered_map>

namespace thinkbench::core {

struct RunStore::Impl {
    Impl(const std::string& path, int flags)
        : db(path, flags)
    {
    }
    SqliteDb db;
    std::unordered_map<std::string, int64_t> keyIds; // metric key name -> metric_keys.id
};

} // namespace thinkbench::core
