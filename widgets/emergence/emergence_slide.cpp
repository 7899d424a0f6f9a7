#include "widgets/emergence/emergence_slide.h"

#include "widgets/emergence/story_plot.h"
#include "widgets/emergence/story_trace.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace thinkbench::widgets {

namespace {

QString percent(double share)
{
    return QStringLiteral("%1%").arg(100 * share, 0, 'f', 1);
}

} // namespace

EmergenceSlide::EmergenceSlide(QWidget* parent)
    : QWidget(parent)
    , title_(new QLabel(this))
    , caption_(new QLabel(this))
    , plot_(new QCustomPlot(this))
    , storyPlot_(std::make_unique<StoryPlot>(plot_))
    , early_(new StoryTrace(tr("Early in the stage"), this))
    , late_(new StoryTrace(tr("Late in the stage"), this))
{
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    QFont big = title_->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.4);
    title_->setFont(big);
    title_->setWordWrap(true);
    caption_->setWordWrap(true);
    plot_->setObjectName(QStringLiteral("emergencePlot"));
    plot_->setMinimumHeight(220);
    auto* traces = new QHBoxLayout;
    traces->addWidget(early_);
    traces->addWidget(late_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addWidget(caption_);
    layout->addWidget(plot_, 5);
    layout->addLayout(traces, 4);
    connect(early_, &StoryTrace::sampleShown, this, [this](qint64 step) { storyPlot_->markTrace(false, step); });
    connect(late_, &StoryTrace::sampleShown, this, [this](qint64 step) { storyPlot_->markTrace(true, step); });
}

EmergenceSlide::~EmergenceSlide() = default;

void EmergenceSlide::setStory(const core::EmergenceStory& story, const QString& title)
{
    title_->setText(title);
    QStringList parts;
    if (!story.pass1.empty())
        parts << tr("held-out pass@1 %1 → %2 (first → last evaluation)")
                     .arg(percent(story.pass1.front().value), percent(story.pass1.back().value));
    // Per-step series are noisy: compare the means of the stage's first and last tenth.
    QStringList tenths;
    if (const auto c = core::seriesChange(story.length))
        tenths << tr("mean length %1 → %2 tokens").arg(c->from, 0, 'f', 0).arg(c->to, 0, 'f', 0);
    if (const auto c = core::seriesChange(story.reflection))
        tenths << tr("reflection markers in %1 → %2 of responses").arg(percent(c->from), percent(c->to));
    if (!tenths.isEmpty())
        parts << tenths.join(QStringLiteral(" · ")) + tr(" (first → last tenth of the steps)");
    if (story.evalStages.size() == 2)
        parts << tr("pass@1 %1 before → %2 after the stage (eval stages)")
                     .arg(percent(story.evalStages.front().value), percent(story.evalStages.back().value));
    if (story.pass1.empty())
        parts << tr("no held-out pass@1 during the stage");
    caption_->setText(parts.join(QStringLiteral(" · ")));
    storyPlot_->draw(story);
    early_->setSamples(story.early, tr("No samples stored in this stage."));
    late_->setSamples(story.late, tr("No samples stored in this stage."));
}

QString EmergenceSlide::title() const
{
    return title_->text();
}

QString EmergenceSlide::caption() const
{
    return caption_->text();
}

QImage EmergenceSlide::render(QSize size, qreal ratio)
{
    setAttribute(Qt::WA_DontShowOnScreen);
    resize(size);
    show();
    // The plot paints from buffers of its own: draw them at the image's resolution.
    plot_->setBufferDevicePixelRatio(ratio);
    plot_->replot();
    QImage image(size * ratio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(ratio);
    image.fill(Qt::white);
    QWidget::render(&image);
    hide();
    return image;
}

} // namespace thinkbench::widgets
