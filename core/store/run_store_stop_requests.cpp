// Stop requests of the run store: a stop asked for by a process that cannot signal the trainer
// (a GUI watching a run started from the CLI, possibly on another machine sharing the file).

#include "core/store/run_store.h"

#include "core/error.h"
#include "core/store/row_mapper.h"
#include "core/store/run_store_impl.h"

namespace thinkbench::core {

void RunStore::requestStop(int64_t run)
{
    // The check and the insert in one write transaction, which waits its turn while the trainer
    // commits its steps (a tiny model commits hundreds a second).
    Transaction transaction(impl_->db);
    auto exists = impl_->db.prepare("SELECT 1 FROM runs WHERE id = ?");
    exists.bind(1, run);
    if (!readFirst(exists, valueColumn<int64_t>))
        throw Error(path_, "run " + std::to_string(run), "no such run to stop");
    // A second request keeps the time of the first.
    impl_->db.prepare("INSERT INTO stop_requests (run, requested_at) VALUES (?, ?) ON CONFLICT (run) DO NOTHING")
        .bind(1, run)
        .bind(2, nowSeconds())
        .run();
    transaction.commit();
}

bool RunStore::stopRequested(int64_t run) const
{
    auto stmt = impl_->db.prepare("SELECT 1 FROM stop_requests WHERE run = ?");
    stmt.bind(1, run);
    return readFirst(stmt, valueColumn<int64_t>).has_value();
}

void RunStore::clearStopRequest(int64_t run)
{
    impl_->db.prepare("DELETE FROM stop_requests WHERE run = ?").bind(1, run).run();
}

} // namespace thinkbench::core
