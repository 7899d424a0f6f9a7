#include "widgets/compare/blind_vote.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>

#include <algorithm>

namespace thinkbench::widgets {

BlindVote::BlindVote(QWidget* parent)
    : QWidget(parent)
    , reveal_(new QLabel(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Which reply is better?"), this));
    const std::pair<QString, Choice> choices[] = {{tr("A is better"), Choice::A},
                                                  {tr("B is better"), Choice::B},
                                                  {tr("Tie"), Choice::Tie},
                                                  {tr("Both are bad"), Choice::BothBad}};
    for (const auto& [text, choice] : choices) {
        auto* button = new QPushButton(text, this);
        connect(button, &QPushButton::clicked, this, [this, choice] { vote(choice); });
        layout->addWidget(button);
        buttons_.push_back(button);
    }
    reveal_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(reveal_, 1);
    setOpen(false);
}

void BlindVote::setStore(core::RunStore* store)
{
    store_ = store;
}

std::vector<int> BlindVote::drawPair(std::vector<int> models)
{
    std::shuffle(models.begin(), models.end(), *QRandomGenerator::global());
    models.resize(2);
    return models;
}

void BlindVote::open(const core::VoteRecord& comparison, const QString& nameA, const QString& nameB)
{
    comparison_ = comparison;
    nameA_ = nameA;
    nameB_ = nameB;
    revealed_ = false;
    reveal_->clear();
    setOpen(true);
}

void BlindVote::close()
{
    revealed_ = false;
    reveal_->clear();
    setOpen(false);
}

QString BlindVote::revealText() const
{
    return reveal_->text();
}

bool BlindVote::vote(Choice choice)
{
    if (!open_)
        return false;
    static const char* const names[] = {"a", "b", "tie", "both_bad"};
    const QString name = QString::fromLatin1(names[static_cast<int>(choice)]);
    qint64 id = -1;
    if (store_) {
        core::VoteRecord record = comparison_;
        record.vote = name.toStdString();
        try {
            id = store_->addVote(record);
        } catch (const std::exception& e) {
            emit failed(QString::fromUtf8(e.what()));
            return false;
        }
    }
    revealed_ = true;
    setOpen(false);
    reveal_->setText(
        (store_ ? tr("A was %1, B was %2.") : tr("A was %1, B was %2. No run database is open: the vote was not kept."))
            .arg(nameA_, nameB_));
    emit voted(name, id);
    return true;
}

void BlindVote::setOpen(bool open)
{
    open_ = open;
    for (QPushButton* button : buttons_)
        button->setEnabled(open);
}

} // namespace thinkbench::widgets
