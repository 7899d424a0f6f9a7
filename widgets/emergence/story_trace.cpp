#include "widgets/emergence/story_trace.h"

#include "core/text/reflection_markers.h"
#include "widgets/common/reflection_html.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace thinkbench::widgets {

StoryTrace::StoryTrace(const QString& heading, QWidget* parent)
    : QWidget(parent)
    , heading_(heading)
    , title_(new QLabel(this))
    , verdict_(new QLabel(this))
    , text_(new QTextBrowser(this))
    , stepping_(new QWidget(this))
    , previous_(new QPushButton(tr("◀ Previous"), stepping_))
    , next_(new QPushButton(tr("Next ▶"), stepping_))
    , position_(new QLabel(stepping_))
{
    QFont bold = title_->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    title_->setFont(bold);
    verdict_->setTextFormat(Qt::RichText);
    text_->setObjectName(QStringLiteral("storyTraceText"));
    text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text_->setMinimumHeight(120);
    previous_->setToolTip(tr("The previous sample picked for this column"));
    next_->setToolTip(tr("The next sample picked for this column"));
    auto* steps = new QHBoxLayout(stepping_);
    steps->setContentsMargins(0, 0, 0, 0);
    steps->addWidget(previous_);
    steps->addWidget(position_, 1, Qt::AlignCenter);
    steps->addWidget(next_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addWidget(verdict_);
    layout->addWidget(text_, 1);
    layout->addWidget(stepping_);
    connect(previous_, &QPushButton::clicked, this, [this] { showSample(index_ - 1); });
    connect(next_, &QPushButton::clicked, this, [this] { showSample(index_ + 1); });
    setSamples({}, QString());
}

void StoryTrace::setSamples(std::vector<core::SampleRecord> samples, const QString& emptyText)
{
    samples_ = std::move(samples);
    index_ = -1;
    if (samples_.empty()) {
        title_->setText(heading_);
        verdict_->clear();
        text_->setPlainText(emptyText);
        markers_ = 0;
        position_->clear();
        previous_->setEnabled(false);
        next_->setEnabled(false);
        return;
    }
    showSample(0);
}

void StoryTrace::showSample(int index)
{
    if (index < 0 || index >= count())
        return;
    index_ = index;
    const core::SampleRecord& s = samples_[size_t(index)];
    markers_ = int(core::findReflections(s.completion).size());
    title_->setText(tr("%1 · step %2").arg(heading_).arg(s.step));
    const QString verdict = s.correct
                                ? QStringLiteral("<span style=\"color:#1a7f37\">%1</span>").arg(tr("✓ correct"))
                                : QStringLiteral("<span style=\"color:#c62828\">%1</span>").arg(tr("✗ incorrect"));
    const QString answer = s.extracted.empty() ? tr("none") : QString::fromStdString(s.extracted).toHtmlEscaped();
    verdict_->setText(tr("%1 · answer %2 · %3 tokens · %n reflection marker(s)", nullptr, markers_)
                          .arg(verdict, answer, QString::number(s.tokenCount)));
    text_->setHtml(
        QStringLiteral("<b>%1</b><br>%2")
            .arg(QString::fromStdString(s.prompt).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")),
                 reflectionMarkedHtml(s.completion)));
    position_->setText(tr("%1 of %2").arg(index + 1).arg(count()));
    previous_->setEnabled(index > 0);
    next_->setEnabled(index + 1 < count());
    emit sampleShown(s.step);
}

const core::SampleRecord* StoryTrace::current() const
{
    return index_ < 0 ? nullptr : &samples_[size_t(index_)];
}

QString StoryTrace::html() const
{
    return text_->toHtml();
}

void StoryTrace::setInteractive(bool interactive)
{
    stepping_->setVisible(interactive);
    text_->setVerticalScrollBarPolicy(interactive ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
}

} // namespace thinkbench::widgets
