#include "widgets/trace/group_view.h"

#include "core/store/sample_groups.h"
#include "core/text/reasoning_steps.h"
#include "core/text/think_tags.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

namespace {

QString toQ(const std::string& s)
{
    return QString::fromStdString(s);
}

const QColor kZeroStdBackground(0xff, 0xf1, 0xd6);

// A cell shown as text and sorted by a number (reward, advantage, length, correctness).
class SortItem : public QTableWidgetItem {
public:
    SortItem(const QString& text, double key)
        : QTableWidgetItem(text)
    {
        setData(Qt::UserRole, key);
        setFlags(flags() & ~Qt::ItemIsEditable);
    }
    bool operator<(const QTableWidgetItem& other) const override
    {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

QString rewardPartsText(const std::string& json)
{
    QStringList parts;
    const auto object = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    for (auto it = object.begin(); it != object.end(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toDouble(), 0, 'g', 3);
    return parts.join(QStringLiteral(" · "));
}

QString signedNumber(double value)
{
    return (value > 0 ? QStringLiteral("+") : QString()) + QString::number(value, 'f', 3);
}

// A response as its numbered reasoning steps (the engine's cut, as the stepper and the diff show
// them) and its answer.
QString responseHtml(const core::SampleRecord& sample)
{
    const auto split = core::splitReasoning(sample.completion, core::promptOpensThinking(sample.prompt));
    QString html;
    int number = 0;
    for (const core::ReasoningStep& step : core::splitReasoningSteps(split.reasoning))
        html += QStringLiteral("<p style=\"margin:0 0 6px 0\"><span style=\"color:#888\">%1</span> %2</p>")
                    .arg(++number)
                    .arg(toQ(step.text).toHtmlEscaped());
    html += QStringLiteral("<p style=\"margin-top:8px\"><b>%1</b> %2</p>")
                .arg(QObject::tr("Answer:"),
                     split.answer.empty() ? QObject::tr("(none)") : toQ(split.answer).toHtmlEscaped());
    return html;
}

} // namespace

GroupView::GroupView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("groupView"));
    summary_ = new QLabel(tr("Open a GRPO step to see its groups."), this);
    summary_->setWordWrap(true);

    groupTable_ = new QTableWidget(0, 5, this);
    groupTable_->setObjectName(QStringLiteral("groupTable"));
    groupTable_->setAccessibleName(tr("GRPO groups of the step"));
    groupTable_->setHorizontalHeaderLabels({tr("Group"), tr("Prompt"), tr("Mean reward"), tr("Std"), tr("Signal")});
    groupTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    groupTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    groupTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    groupTable_->verticalHeader()->hide();
    groupTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    groupTable_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);

    groupInfo_ = new QLabel(this);
    groupInfo_->setWordWrap(true);
    groupInfo_->setTextFormat(Qt::RichText);

    responses_ = new QTableWidget(0, ColumnCount, this);
    responses_->setObjectName(QStringLiteral("responseTable"));
    responses_->setAccessibleName(tr("GRPO group responses"));
    responses_->setHorizontalHeaderLabels(
        {tr("#"), tr("Reward"), tr("Advantage"), tr("Length"), tr("Verdict"), tr("Answer"), tr("Reward parts")});
    responses_->setSelectionBehavior(QAbstractItemView::SelectRows);
    responses_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    responses_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    responses_->verticalHeader()->hide();
    responses_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    responses_->horizontalHeader()->setStretchLastSection(true);
    responses_->setSortingEnabled(true);
    responses_->setToolTip(tr("Click a header to sort; pick two rows to diff them"));

    openButton_ = new QPushButton(tr("Open in trace"), this);
    diffButton_ = new QPushButton(tr("Diff two responses"), this);
    diffButton_->setObjectName(QStringLiteral("diffButton"));
    diffButton_->setToolTip(tr("Select two responses to compare them step by step"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(groupInfo_, 1);
    buttons->addWidget(openButton_);
    buttons->addWidget(diffButton_);

    cardsArea_ = new QScrollArea(this);
    cardsArea_->setObjectName(QStringLiteral("responseCards"));
    cardsArea_->setWidgetResizable(true);
    cardsArea_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    auto* responsesPage = new QWidget(this);
    auto* responsesLayout = new QVBoxLayout(responsesPage);
    responsesLayout->setContentsMargins(0, 0, 0, 0);
    responsesLayout->addLayout(buttons);
    responsesLayout->addWidget(responses_, 1);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(groupTable_);
    splitter->addWidget(responsesPage);
    splitter->addWidget(cardsArea_);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({110, 270, 320});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(summary_);
    layout->addWidget(splitter, 1);

    connect(groupTable_, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && row != open_)
            openGroup(row);
    });
    connect(responses_, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0)
            emit sampleChosen(responseSampleId(row));
    });
    connect(responses_, &QTableWidget::cellDoubleClicked, this,
            [this](int row) { emit sampleOpened(responseSampleId(row)); });
    connect(responses_, &QTableWidget::itemSelectionChanged, this,
            [this] { diffButton_->setEnabled(selectedSampleIds().size() == 2); });
    // The table sorts itself on a header click first (connected by setSortingEnabled); the cards follow.
    connect(responses_->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, &GroupView::fillCards);
    connect(openButton_, &QPushButton::clicked, this, [this] {
        if (responses_->currentRow() >= 0)
            emit sampleOpened(responseSampleId(responses_->currentRow()));
    });
    connect(diffButton_, &QPushButton::clicked, this, [this] {
        const QList<qint64> ids = selectedSampleIds();
        if (ids.size() == 2)
            emit diffRequested(ids[0], ids[1]);
    });
    showStep(-1, -1);
}

GroupView::~GroupView() = default;

void GroupView::setStore(core::RunStore* store)
{
    store_ = store;
}

bool GroupView::showStep(qint64 run, qint64 step)
{
    groups_ = store_ && run >= 0 ? core::stepGroups(*store_, run, step) : std::vector<core::SampleGroup>{};
    open_ = -1;
    groupTable_->setRowCount(0);
    int zeroStd = 0;
    for (const core::SampleGroup& g : groups_) {
        const int row = groupTable_->rowCount();
        groupTable_->insertRow(row);
        QString prompt = toQ(g.prompt).simplified();
        groupTable_->setItem(row, 0, new QTableWidgetItem(QString::number(g.index + 1)));
        auto* promptItem = new QTableWidgetItem(prompt);
        promptItem->setToolTip(toQ(g.prompt));
        groupTable_->setItem(row, 1, promptItem);
        groupTable_->setItem(row, 2, new QTableWidgetItem(QString::number(g.meanReward, 'f', 3)));
        groupTable_->setItem(row, 3, new QTableWidgetItem(QString::number(g.rewardStd, 'f', 3)));
        groupTable_->setItem(row, 4,
                             new QTableWidgetItem(g.zeroStd ? tr("⚠ zero std: teaches nothing")
                                                            : tr("%n response(s)", nullptr, int(g.samples.size()))));
        if (g.zeroStd) {
            ++zeroStd;
            for (int c = 0; c < groupTable_->columnCount(); ++c)
                groupTable_->item(row, c)->setBackground(kZeroStdBackground);
        }
    }
    if (groups_.empty()) {
        summary_->setText(run < 0 ? tr("Open a GRPO step to see its groups.")
                                  : tr("No GRPO groups stored at step %1. Runs from before groups were stored, "
                                       "stages other than GRPO and stored_groups = 0 keep single samples only.")
                                        .arg(step));
        responses_->setRowCount(0);
        groupInfo_->clear();
        openButton_->setEnabled(false);
        diffButton_->setEnabled(false);
        fillCards();
        return false;
    }
    summary_->setText(
        tr("Step %1: %n group(s) stored", nullptr, int(groups_.size())).arg(step) +
        (zeroStd ? tr(", %n with zero std (all rewards equal, every advantage 0)", nullptr, zeroStd) : QString()));
    groupTable_->setCurrentCell(0, 0); // opens the first group
    return true;
}

int GroupView::groupCount() const
{
    return int(groups_.size());
}

bool GroupView::isZeroStd(int group) const
{
    return group >= 0 && group < groupCount() && groups_[size_t(group)].zeroStd;
}

void GroupView::openGroup(int group)
{
    if (group < 0 || group >= groupCount())
        return;
    open_ = group;
    if (groupTable_->currentRow() != group)
        groupTable_->setCurrentCell(group, 0);
    const core::SampleGroup& g = groups_[size_t(group)];
    groupInfo_->setText(g.zeroStd
                            ? tr("<b>Group %1</b>: every response got reward %2, so every advantage is 0 and the group "
                                 "<span style=\"color:#a05a00\"><b>teaches nothing</b></span>.")
                                  .arg(g.index + 1)
                                  .arg(g.meanReward, 0, 'g', 3)
                            : tr("<b>Group %1</b>: %2 responses, mean reward %3, std %4.")
                                  .arg(g.index + 1)
                                  .arg(g.samples.size())
                                  .arg(g.meanReward, 0, 'f', 3)
                                  .arg(g.rewardStd, 0, 'f', 3));
    fillResponses();
}

void GroupView::fillResponses()
{
    const core::SampleGroup& g = groups_[size_t(open_)];
    responses_->setSortingEnabled(false); // rows filled while sorting move under the cursor
    responses_->setRowCount(int(g.samples.size()));
    for (int row = 0; row < int(g.samples.size()); ++row) {
        const core::SampleRecord& s = g.samples[size_t(row)];
        auto* index = new SortItem(QString::number(row + 1), row);
        index->setData(Qt::UserRole + 1, QVariant::fromValue<qint64>(s.id));
        responses_->setItem(row, Index, index);
        responses_->setItem(row, Reward, new SortItem(QString::number(s.reward, 'f', 3), s.reward));
        const double advantage = s.advantage.value_or(0);
        responses_->setItem(row, Advantage,
                            new SortItem(s.advantage ? signedNumber(advantage) : tr("(none)"), advantage));
        responses_->setItem(row, Length, new SortItem(QString::number(s.tokenCount), s.tokenCount));
        auto* verdict = new SortItem(s.correct ? tr("correct") : tr("wrong"), s.correct ? 1 : 0);
        verdict->setForeground(s.correct ? QColor(0x1b, 0x7a, 0x2e) : QColor(0xb0, 0x24, 0x18));
        responses_->setItem(row, Verdict, verdict);
        auto* answer = new QTableWidgetItem(s.extracted.empty() ? tr("(none)") : toQ(s.extracted));
        answer->setFlags(answer->flags() & ~Qt::ItemIsEditable);
        responses_->setItem(row, Answer, answer);
        auto* parts = new QTableWidgetItem(rewardPartsText(s.rewardParts));
        parts->setFlags(parts->flags() & ~Qt::ItemIsEditable);
        responses_->setItem(row, RewardParts, parts);
    }
    responses_->setSortingEnabled(true);
    responses_->horizontalHeader()->setSortIndicator(Index, Qt::AscendingOrder);
    {
        const QSignalBlocker quiet(responses_); // the current row may already be 0: say it once below
        responses_->setCurrentCell(0, 0);
    }
    emit sampleChosen(responseSampleId(0));
    openButton_->setEnabled(true);
    diffButton_->setEnabled(false);
    fillCards();
}

// The responses side by side, one card each, in the table's order.
void GroupView::fillCards()
{
    auto* strip = new QWidget;
    auto* layout = new QHBoxLayout(strip);
    layout->setContentsMargins(4, 4, 4, 4);
    if (open_ >= 0) {
        const core::SampleGroup& g = groups_[size_t(open_)];
        for (int row = 0; row < responses_->rowCount(); ++row) {
            const qint64 id = responseSampleId(row);
            const auto it =
                std::find_if(g.samples.begin(), g.samples.end(), [id](const auto& s) { return s.id == id; });
            if (it == g.samples.end())
                continue;
            auto* card = new QFrame(strip);
            card->setObjectName(QStringLiteral("responseCard"));
            card->setFrameShape(QFrame::StyledPanel);
            card->setFixedWidth(300);
            card->setStyleSheet(QStringLiteral("#responseCard { border-top: 3px solid %1; }")
                                    .arg(it->correct ? QStringLiteral("#2e9a48") : QStringLiteral("#c94a3b")));
            auto* header = new QPushButton(tr("#%1 · reward %2 · adv %3 · %4 tok · %5")
                                               .arg(responses_->item(row, Index)->text())
                                               .arg(it->reward, 0, 'f', 2)
                                               .arg(it->advantage ? signedNumber(*it->advantage) : tr("–"))
                                               .arg(it->tokenCount)
                                               .arg(it->correct ? tr("correct") : tr("wrong")),
                                           card);
            header->setFlat(true);
            header->setToolTip(tr("Open this response in the trace"));
            connect(header, &QPushButton::clicked, this, [this, id] { emit sampleOpened(id); });
            auto* body = new QTextBrowser(card);
            body->setHtml(responseHtml(*it));
            auto* cardLayout = new QVBoxLayout(card);
            cardLayout->setContentsMargins(4, 4, 4, 4);
            cardLayout->addWidget(header);
            cardLayout->addWidget(body, 1);
            layout->addWidget(card);
        }
    }
    layout->addStretch(1);
    cardsArea_->setWidget(strip); // deletes the previous strip
}

int GroupView::responseCount() const
{
    return responses_->rowCount();
}

qint64 GroupView::responseSampleId(int row) const
{
    const QTableWidgetItem* item = responses_->item(row, Index);
    return item ? item->data(Qt::UserRole + 1).toLongLong() : -1;
}

double GroupView::responseValue(int row, Column column) const
{
    const QTableWidgetItem* item = responses_->item(row, column);
    return item ? item->data(Qt::UserRole).toDouble() : 0;
}

void GroupView::sortResponses(Column column, Qt::SortOrder order)
{
    responses_->horizontalHeader()->setSortIndicator(column, order); // sorts, then the cards follow
}

void GroupView::selectResponses(const QList<int>& rows)
{
    responses_->clearSelection();
    for (int row : rows)
        responses_->selectionModel()->select(responses_->model()->index(row, 0),
                                             QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

QList<qint64> GroupView::selectedSampleIds() const
{
    QList<qint64> ids;
    for (const QModelIndex& index : responses_->selectionModel()->selectedRows())
        ids << responseSampleId(index.row());
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace thinkbench::widgets
