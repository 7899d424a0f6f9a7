// Samples of the run store: the completions a run writes, with their rewards and per-token data,
// and the queries the sample browser filters them by.

#include "core/store/run_store.h"

#include "core/store/row_mapper.h"
#include "core/store/run_store_impl.h"

namespace thinkbench::core {

namespace {

constexpr auto kSampleRow =
    rowMap("samples", rowId<&SampleRecord::id>("id"), field<&SampleRecord::run>("run"),
           field<&SampleRecord::stage>("stage"), field<&SampleRecord::step>("step"),
           field<&SampleRecord::prompt>("prompt"), field<&SampleRecord::completion>("completion"),
           field<&SampleRecord::rewardParts>("reward_parts"), field<&SampleRecord::reward>("reward"),
           field<&SampleRecord::correct>("correct"), field<&SampleRecord::tokenCount>("token_count"),
           field<&SampleRecord::extracted>("extracted"), field<&SampleRecord::tokenLogprobs>("token_logprobs"),
           field<&SampleRecord::tokenEntropies>("token_entropies"), field<&SampleRecord::tokenIds>("token_ids"),
           field<&SampleRecord::groupIndex>("group_index"), field<&SampleRecord::advantage>("advantage"));

} // namespace

void RunStore::addSamples(std::vector<SampleRecord>& samples)
{
    if (samples.empty())
        return;
    Transaction transaction(impl_->db);
    auto insert = impl_->db.prepare(kSampleRow.insert());
    for (SampleRecord& s : samples) {
        kSampleRow.bind(insert, s);
        insert.run();
        s.id = impl_->db.lastInsertId();
    }
    transaction.commit();
}

std::vector<SampleRecord> RunStore::samples(const SampleFilter& filter) const
{
    // NULL parameters disable their condition, so one cached statement serves every filter.
    auto stmt = impl_->db.prepare(
        kSampleRow.select() + "WHERE (?1 IS NULL OR run = ?1) AND (?2 IS NULL OR step = ?2) "
                              "AND (?3 IS NULL OR stage = ?3) AND (?4 IS NULL OR EXISTS (SELECT 1 FROM annotations a "
                              "WHERE a.sample = samples.id AND a.label = ?4)) ORDER BY id LIMIT ?5");
    filter.run ? stmt.bind(1, *filter.run) : stmt.bindNull(1);
    filter.step ? stmt.bind(2, *filter.step) : stmt.bindNull(2);
    filter.stage ? stmt.bind(3, *filter.stage) : stmt.bindNull(3);
    filter.label ? stmt.bind(4, *filter.label) : stmt.bindNull(4);
    stmt.bind(5, filter.limit);
    return readAll(stmt, kSampleRow);
}

std::optional<SampleRecord> RunStore::sample(int64_t id) const
{
    auto stmt = impl_->db.prepare(kSampleRow.select() + "WHERE id = ?");
    stmt.bind(1, id);
    return readFirst(stmt, kSampleRow);
}

std::vector<int64_t> RunStore::sampleSteps(int64_t run) const
{
    auto stmt = impl_->db.prepare("SELECT DISTINCT step FROM samples WHERE run = ? ORDER BY step");
    stmt.bind(1, run);
    return readAll(stmt, valueColumn<int64_t>);
}

} // namespace thinkbench::core
