#include "widgets/common/reasoning_section.h"

#include "widgets/common/stream_text.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QToolButton>
#include <QVBoxLayout>

namespace thinkbench::widgets {

ReasoningSection::ReasoningSection(QWidget* parent)
    : QWidget(parent)
    , toggle_(new QToolButton(this))
    , body_(new QWidget(this))
    , text_(new StreamText(body_))
{
    toggle_->setAutoRaise(true);
    toggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QPalette dim = text_->palette();
    dim.setColor(QPalette::Text, dim.color(QPalette::PlaceholderText));
    text_->setPalette(dim);
    auto* rule = new QFrame(body_);
    rule->setFrameShape(QFrame::VLine);
    rule->setFrameShadow(QFrame::Plain);
    rule->setForegroundRole(QPalette::Mid);
    auto* bodyLayout = new QHBoxLayout(body_);
    bodyLayout->setContentsMargins(8, 0, 0, 0);
    bodyLayout->addWidget(rule);
    bodyLayout->addWidget(text_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(toggle_, 0, Qt::AlignLeft);
    layout->addWidget(body_);
    connect(toggle_, &QToolButton::clicked, this, [this] { setCollapsed(!collapsed_); });
    hide(); // until there is reasoning
}

void ReasoningSection::setReasoning(const QString& text, int tokens)
{
    text_->setStreamText(text);
    tokens_ = tokens;
    setVisible(!text.isEmpty());
    updateToggle();
}

QString ReasoningSection::reasoning() const
{
    return text_->streamText();
}

bool ReasoningSection::isCollapsed() const
{
    return collapsed_;
}

void ReasoningSection::setCollapsed(bool collapsed)
{
    collapsed_ = collapsed;
    body_->setVisible(!collapsed);
    updateToggle();
}

void ReasoningSection::updateToggle()
{
    toggle_->setArrowType(collapsed_ ? Qt::RightArrow : Qt::DownArrow);
    toggle_->setText(tr("Reasoning · %n token(s)", nullptr, tokens_));
}

} // namespace thinkbench::widgets
