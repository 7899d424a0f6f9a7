// Evaluations in the run store: one row per evaluation (a run's periodic eval or a stand-alone
// `thinkbench-cli eval`) and one per problem it scored.

#include "core/store/run_store.h"

#include "core/store/row_mapper.h"
#include "core/store/run_store_impl.h"

namespace thinkbench::core {

namespace {

constexpr auto kEvaluationRow =
    rowMap("evaluations", rowId<&EvaluationRecord::id>("id"), field<&EvaluationRecord::run>("run"),
           field<&EvaluationRecord::stage>("stage"), field<&EvaluationRecord::step>("step"),
           field<&EvaluationRecord::model>("model"), field<&EvaluationRecord::dataset>("dataset"),
           field<&EvaluationRecord::k>("k"), field<&EvaluationRecord::settings>("settings"),
           field<&EvaluationRecord::summary>("summary"), field<&EvaluationRecord::time>("time"));

constexpr auto kEvalItemRow =
    rowMap("eval_items", rowId<&EvalItemRecord::id>("id"), field<&EvalItemRecord::evaluation>("evaluation"),
           field<&EvalItemRecord::problemId>("problem_id"), field<&EvalItemRecord::prompt>("prompt"),
           field<&EvalItemRecord::truth>("truth"), field<&EvalItemRecord::samples>("samples"),
           field<&EvalItemRecord::pass1>("pass1"), field<&EvalItemRecord::consCorrect>("cons_correct"));

} // namespace

int64_t RunStore::addEvaluation(EvaluationRecord& e, std::vector<EvalItemRecord>& items)
{
    Transaction transaction(impl_->db);
    if (e.time <= 0)
        e.time = nowSeconds();
    if (e.run)
        impl_->db.prepare("DELETE FROM evaluations WHERE run = ? AND stage = ? AND step = ? AND model = ?")
            .bind(1, *e.run)
            .bind(2, e.stage)
            .bind(3, e.step)
            .bind(4, e.model)
            .run();
    auto insert = impl_->db.prepare(kEvaluationRow.insert());
    kEvaluationRow.bind(insert, e);
    insert.run();
    e.id = impl_->db.lastInsertId();
    auto item = impl_->db.prepare(kEvalItemRow.insert());
    for (EvalItemRecord& it : items) {
        it.evaluation = e.id;
        kEvalItemRow.bind(item, it);
        item.run();
        it.id = impl_->db.lastInsertId();
    }
    transaction.commit();
    return e.id;
}

std::vector<EvaluationRecord> RunStore::evaluations(std::optional<int64_t> run) const
{
    auto stmt = impl_->db.prepare(kEvaluationRow.select() + "WHERE ?1 IS NULL OR run = ?1 ORDER BY id");
    run ? stmt.bind(1, *run) : stmt.bindNull(1);
    return readAll(stmt, kEvaluationRow);
}

std::vector<EvalItemRecord> RunStore::evalItems(int64_t evaluation) const
{
    auto stmt = impl_->db.prepare(kEvalItemRow.select() + "WHERE evaluation = ? ORDER BY id");
    stmt.bind(1, evaluation);
    return readAll(stmt, kEvalItemRow);
}

std::optional<EvalItemRecord> RunStore::evalItem(int64_t id) const
{
    auto stmt = impl_->db.prepare(kEvalItemRow.select() + "WHERE id = ?");
    stmt.bind(1, id);
    return readFirst(stmt, kEvalItemRow);
}

} // namespace thinkbench::core
