#include "widgets/dashboard/small_chart.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace thinkbench::widgets {

SmallChart::SmallChart(const QString& key, QWidget* parent)
    : QFrame(parent)
    , key_(key)
    , title_(new QLabel(key, this))
    , values_(new QLabel(this))
    , pin_(new QToolButton(this))
    , plot_(new QCustomPlot(this))
{
    setObjectName(key);
    // Named for screen readers and for the end-to-end test, which finds widgets the same way.
    setAccessibleName(key);
    plot_->setAccessibleName(tr("%1 chart").arg(key));
    setFrameShape(QFrame::StyledPanel);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    title_->setToolTip(key);
    title_->setMinimumWidth(40);
    values_->setTextFormat(Qt::RichText);
    values_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    pin_->setCheckable(true);
    pin_->setAutoRaise(true);
    pin_->setText(QStringLiteral("☆"));
    pin_->setToolTip(tr("Pin: pinned charts come first"));
    pin_->setAccessibleName(tr("Pin %1").arg(key));
    auto* large = new QToolButton(this);
    large->setAutoRaise(true);
    large->setText(QStringLiteral("⤢"));
    large->setToolTip(tr("Open as the large chart (or double-click the plot)"));
    large->setAccessibleName(tr("Open %1 large").arg(key));

    auto* header = new QHBoxLayout;
    header->setContentsMargins(4, 0, 0, 0);
    header->setSpacing(2);
    header->addWidget(title_, 1);
    header->addWidget(values_);
    header->addWidget(large);
    header->addWidget(pin_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(plot_, 1);

    plot_->setToolTip(tr("Click a point to open its samples; drag to pan, Ctrl+wheel to zoom the steps of "
                         "every chart; double-click to open large"));
    plot_->installEventFilter(this);
    painter_ = std::make_unique<CurvePainter>(plot_, CurvePainter::Style::Compact);
    showValues(std::nullopt);

    connect(pin_, &QToolButton::toggled, this, [this](bool on) {
        pin_->setText(on ? QStringLiteral("★") : QStringLiteral("☆"));
        emit pinToggled(on);
    });
    connect(large, &QToolButton::clicked, this, &SmallChart::openRequested);
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange& range) {
        if (settingRange_)
            return;
        painter_->rescaleY(false);
        emit xRangeChanged(range.lower, range.upper);
    });
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* event) { emit hovered(plot_->xAxis->pixelToCoord(event->position().x())); });
    connect(plot_, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { pressPos_ = event->position().toPoint(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        const QPoint pos = event->position().toPoint();
        if ((pos - pressPos_).manhattanLength() > 3)
            return; // a drag, not a click
        const auto [curve, i] = painter_->pointAt(pos);
        if (curve)
            emit stepClicked(curve->data.run, qint64(curve->data.points[i].step));
    });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, &SmallChart::openRequested);
    connect(plot_, &QCustomPlot::afterReplot, this, [this] { drawnSize_ = plot_->size(); });
}

SmallChart::~SmallChart() = default;

bool SmallChart::eventFilter(QObject* watched, QEvent* event)
{
    // The wheel scrolls the dashboard; with Ctrl it zooms the steps. Ignored and filtered, the
    // event goes on to the scroll area.
    // Drawn late: scrolled out of view when its data changed, or resized with a grab due before
    // its queued redraw.
    if (watched == plot_ && event->type() == QEvent::Paint && (stale_ || plot_->size() != drawnSize_)) {
        stale_ = false;
        plot_->replot(QCustomPlot::rpQueuedRefresh);
    }
    if (watched == plot_ && event->type() == QEvent::Wheel &&
        !(static_cast<QWheelEvent*>(event)->modifiers() & Qt::ControlModifier)) {
        event->ignore();
        return true;
    }
    return QFrame::eventFilter(watched, event);
}

bool SmallChart::setLayout(const CurveLayout& layout)
{
    const bool changed = painter_->setLayout(layout);
    if (changed)
        showValues(painter_->crosshairX()); // in the runs' new colours
    return changed;
}

bool SmallChart::setSeries(std::vector<SeriesView> series)
{
    const bool changed = painter_->setSeries(std::move(series));
    if (changed)
        showValues(painter_->crosshairX());
    return changed;
}

bool SmallChart::setStages(const QHash<qint64, std::vector<core::StageInfo>>& stages)
{
    return painter_->setStages(stages);
}

void SmallChart::fitX()
{
    std::optional<std::pair<double, double>> range;
    for (const auto& curve : painter_->curves()) {
        if (curve.x.isEmpty())
            continue;
        const double first = curve.x.first(), last = curve.x.last();
        range =
            range ? std::pair(std::min(range->first, first), std::max(range->second, last)) : std::pair(first, last);
    }
    if (!range)
        return;
    const double pad = std::max(0.5, 0.01 * (range->second - range->first));
    setXRange(range->first - pad, range->second + pad);
}

void SmallChart::setXRange(double lower, double upper)
{
    settingRange_ = true;
    plot_->xAxis->setRange(lower, upper);
    settingRange_ = false;
    painter_->rescaleY(false);
}

void SmallChart::showCrosshair(double x)
{
    painter_->showCrosshair(x);
    showValues(x);
}

void SmallChart::hideCrosshair()
{
    painter_->hideCrosshair();
    showValues(std::nullopt);
    plot_->layer("overlay")->replot();
}

void SmallChart::showValues(std::optional<double> x)
{
    QStringList parts;
    for (const auto& curve : painter_->curves()) {
        if (curve.x.isEmpty())
            continue;
        const size_t i = x ? CurvePainter::indexAt(curve, *x) : curve.data.smoothed.size() - 1;
        parts << QStringLiteral("<span style='color:%1'>%2</span>")
                     .arg(curve.smooth->pen().color().name())
                     .arg(curve.data.smoothed[i], 0, 'g', 4);
    }
    values_->setText(parts.join(QStringLiteral(" ")));
}

QString SmallChart::values() const
{
    return values_->text();
}

void SmallChart::setPinned(bool on)
{
    const QSignalBlocker block(pin_);
    pin_->setChecked(on);
    pin_->setText(on ? QStringLiteral("★") : QStringLiteral("☆"));
}

bool SmallChart::pinned() const
{
    return pin_->isChecked();
}

void SmallChart::redraw(bool now)
{
    if (plot_->visibleRegion().isEmpty())
        stale_ = true;
    else
        plot_->replot(now ? QCustomPlot::rpRefreshHint : QCustomPlot::rpQueuedReplot);
}

} // namespace thinkbench::widgets
