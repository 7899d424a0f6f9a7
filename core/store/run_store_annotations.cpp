// What people record in the run store: annotations on reasoning traces (of training samples or
// eval items), the project's annotation labels, and side-by-side votes.

#include "core/store/run_store.h"

#include "core/store/row_mapper.h"
#include "core/store/run_store_impl.h"

namespace thinkbench::core {

namespace {

constexpr auto kAnnotationRow =
    rowMap("annotations", rowId<&AnnotationRecord::id>("id"), field<&AnnotationRecord::sample>("sample"),
           field<&AnnotationRecord::evalItem>("eval_item"), field<&AnnotationRecord::sampleIndex>("sample_index"),
           field<&AnnotationRecord::stepBegin>("step_begin"), field<&AnnotationRecord::stepEnd>("step_end"),
           field<&AnnotationRecord::spanBegin>("span_begin"), field<&AnnotationRecord::spanEnd>("span_end"),
           field<&AnnotationRecord::label>("label"), field<&AnnotationRecord::verdict>("verdict"),
           field<&AnnotationRecord::note>("note"), field<&AnnotationRecord::author>("author"),
           field<&AnnotationRecord::time>("time"));

constexpr auto kVoteRow =
    rowMap("votes", rowId<&VoteRecord::id>("id"), field<&VoteRecord::prompt>("prompt"),
           field<&VoteRecord::modelA>("model_a"), field<&VoteRecord::modelB>("model_b"),
           field<&VoteRecord::completionA>("completion_a"), field<&VoteRecord::completionB>("completion_b"),
           field<&VoteRecord::vote>("vote"), field<&VoteRecord::time>("time"));

} // namespace

int64_t RunStore::addAnnotation(const AnnotationRecord& annotation)
{
    AnnotationRecord row = annotation;
    if (row.time <= 0)
        row.time = nowSeconds();
    auto stmt = impl_->db.prepare(kAnnotationRow.insert());
    kAnnotationRow.bind(stmt, row);
    stmt.run();
    return impl_->db.lastInsertId();
}

void RunStore::removeAnnotation(int64_t id)
{
    impl_->db.prepare("DELETE FROM annotations WHERE id = ?").bind(1, id).run();
}

std::vector<AnnotationRecord> RunStore::annotationsForSample(int64_t sample) const
{
    auto stmt = impl_->db.prepare(kAnnotationRow.select() + "WHERE sample = ? ORDER BY id");
    stmt.bind(1, sample);
    return readAll(stmt, kAnnotationRow);
}

std::vector<AnnotationRecord> RunStore::annotationsForEvalItem(int64_t item, int sampleIndex) const
{
    auto stmt = impl_->db.prepare(kAnnotationRow.select() + "WHERE eval_item = ? AND sample_index = ? ORDER BY id");
    stmt.bind(1, item).bind(2, sampleIndex);
    return readAll(stmt, kAnnotationRow);
}

std::vector<AnnotationRecord> RunStore::annotations(std::optional<std::string> label) const
{
    auto stmt = impl_->db.prepare(kAnnotationRow.select() + "WHERE ?1 IS NULL OR label = ?1 ORDER BY id");
    label ? stmt.bind(1, *label) : stmt.bindNull(1);
    return readAll(stmt, kAnnotationRow);
}

std::vector<std::string> RunStore::annotationLabels() const
{
    auto stmt = impl_->db.prepare("SELECT label FROM annotation_labels ORDER BY position");
    return readAll(stmt, valueColumn<std::string>);
}

void RunStore::setAnnotationLabels(const std::vector<std::string>& labels)
{
    Transaction transaction(impl_->db);
    impl_->db.exec("DELETE FROM annotation_labels");
    auto insert = impl_->db.prepare("INSERT INTO annotation_labels (position, label) VALUES (?, ?)");
    for (size_t i = 0; i < labels.size(); ++i)
        insert.bind(1, static_cast<int64_t>(i)).bind(2, labels[i]).run();
    transaction.commit();
}

int64_t RunStore::addVote(const VoteRecord& vote)
{
    VoteRecord row = vote;
    if (row.time <= 0)
        row.time = nowSeconds();
    auto stmt = impl_->db.prepare(kVoteRow.insert());
    kVoteRow.bind(stmt, row);
    stmt.run();
    return impl_->db.lastInsertId();
}

std::vector<VoteRecord> RunStore::votes() const
{
    auto stmt = impl_->db.prepare(kVoteRow.select() + "ORDER BY id");
    return readAll(stmt, kVoteRow);
}

} // namespace thinkbench::core
