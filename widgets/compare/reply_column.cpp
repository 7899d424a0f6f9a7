#include "widgets/compare/reply_column.h"

#include "widgets/common/reply_view.h"

#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace thinkbench::widgets {

ReplyColumn::ReplyColumn(QWidget* parent)
    : QFrame(parent)
    , title_(new QLabel(this))
    , stats_(new QLabel(this))
    , view_(new QScrollArea(this))
    , traceButton_(new QPushButton(tr("Open in trace stepper"), this))
{
    setFrameShape(QFrame::StyledPanel);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    stats_->setWordWrap(true);
    stats_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    view_->setWidgetResizable(true);
    view_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view_->setFrameShape(QFrame::NoFrame);
    auto* content = new QWidget(view_);
    content->setBackgroundRole(QPalette::Base);
    content->setAutoFillBackground(true);
    reply_ = new ReplyView(content);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->addWidget(reply_);
    contentLayout->addStretch(1);
    view_->setWidget(content);
    traceButton_->setEnabled(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(title_);
    layout->addWidget(stats_);
    layout->addWidget(view_, 1);
    layout->addWidget(traceButton_, 0, Qt::AlignRight);
    connect(traceButton_, &QPushButton::clicked, this, &ReplyColumn::traceRequested);
}

void ReplyColumn::setTitle(const QString& title)
{
    title_->setText(title);
}

QString ReplyColumn::title() const
{
    return title_->text();
}

void ReplyColumn::setStats(const QString& stats)
{
    stats_->setText(stats);
}

QString ReplyColumn::stats() const
{
    return stats_->text();
}

void ReplyColumn::setTraceEnabled(bool enabled)
{
    traceButton_->setEnabled(enabled);
}

} // namespace thinkbench::widgets
