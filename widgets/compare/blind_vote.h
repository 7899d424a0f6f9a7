#pragma once
// The blind A/B vote: two of the loaded models answer as anonymous A and B (drawn at random), the
// reader votes on the finished replies, the vote goes to the run store and only then are the
// names revealed.

#include "core/store/run_store.h"

#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;

namespace thinkbench::widgets {

class BlindVote : public QWidget {
    Q_OBJECT

public:
    enum class Choice { A, B, Tie, BothBad };

    explicit BlindVote(QWidget* parent = nullptr);

    // Votes are written here. Not owned; it must outlive this or be reset with nullptr.
    void setStore(core::RunStore* store);
    // Two of `models` in random order: the first answers as A.
    static std::vector<int> drawPair(std::vector<int> models);

    // A finished comparison waits for its vote: the record without its vote, and the names to
    // reveal afterwards.
    void open(const core::VoteRecord& comparison, const QString& nameA, const QString& nameB);
    // No comparison waits any more, nothing is revealed.
    void close();
    bool isOpen() const { return open_; }
    bool isRevealed() const { return revealed_; }
    QString revealText() const;

    // Records the vote and reveals the names; false when no comparison waits, or when the store
    // refused it (failed follows).
    bool vote(Choice choice);

signals:
    // The vote as stored ("a", "b", "tie", "both_bad"); id -1 when no store is set.
    void voted(const QString& vote, qint64 id);
    void failed(const QString& message);

private:
    void setOpen(bool open);

    core::RunStore* store_ = nullptr;
    core::VoteRecord comparison_;
    QString nameA_;
    QString nameB_;
    bool open_ = false;
    bool revealed_ = false;
    std::vector<QPushButton*> buttons_;
    QLabel* reveal_;
};

} // namespace thinkbench::widgets
