#include "widgets/curves/curve_painter.h"

#include <qcustomplot.h>

#include <QCoreApplication>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace thinkbench::widgets {

namespace {

// Tableau 10: distinct on white and for the common colour-vision deficiencies.
const QColor kPalette[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                           {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
const Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
constexpr int kRawAlpha = 55;
constexpr int kBandAlpha = 45;

// Qt's raster stroker makes wide pens cost ~30 ms per replot over thousands of points (1 px
// lines take ~1 ms): only short series get the bold line.
double smoothPenWidth(const SeriesView& s)
{
    return s.points.size() > 1500 ? 1.0 : 1.8;
}

// A few points far apart (evaluations every so many steps) are drawn as dots too: a point alone
// after a line break would be no line at all.
bool sparse(const SeriesView& s)
{
    const size_t n = s.points.size();
    return n == 1 || (n > 1 && n <= 50 && s.points.back().step - s.points.front().step >= 4 * int64_t(n - 1));
}

} // namespace

CurvePainter::CurvePainter(QCustomPlot* plot, Style style)
    : plot_(plot)
    , style_(style)
{
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setNoAntialiasingOnDrag(true); // smooth panning over long series
    if (style_ == Style::Compact) {
        plot_->axisRect()->setRangeDrag(Qt::Horizontal);
        plot_->axisRect()->setRangeZoom(Qt::Horizontal);
        QFont small = plot_->font();
        small.setPointSizeF(small.pointSizeF() * 0.8);
        for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
            axis->setTickLabelFont(small);
            axis->setTickLabelPadding(2);
            axis->ticker()->setTickCount(4);
            axis->setNumberFormat(QStringLiteral("gb")); // 1.5e-05 rather than 0.000015
            axis->setNumberPrecision(3);
        }
        plot_->xAxis->setNumberFormat(QStringLiteral("g")); // steps in full: 1550, not 1.55·10³
        plot_->xAxis->setNumberPrecision(7);
        plot_->legend->setVisible(false);
    } else {
        // The legend gets a row of its own above the plot: inside it would hide curves.
        plot_->axisRect()->insetLayout()->take(plot_->legend);
        plot_->plotLayout()->insertRow(0);
        plot_->plotLayout()->addElement(0, 0, plot_->legend);
        plot_->plotLayout()->setRowStretchFactor(0, 0.001);
        plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
        plot_->legend->setBorderPen(Qt::NoPen);
        plot_->legend->setMargins(QMargins(4, 0, 4, 0));
        QFont legendFont = plot_->font();
        legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
        plot_->legend->setFont(legendFont);
    }
    // Stage lines under the curves, their labels above them so curves never hide the names.
    plot_->addLayer("stages", plot_->layer("grid"), QCustomPlot::limAbove);
    plot_->addLayer("stageLabels", plot_->layer("main"), QCustomPlot::limAbove);
    crosshair_ = new QCPItemStraightLine(plot_);
    crosshair_->setLayer("overlay");
    crosshair_->setPen(QPen(QColor(0, 0, 0, 120), 1)); // solid: the stage lines are dashed
    crosshair_->setVisible(false);
}

bool CurvePainter::setLayout(const CurveLayout& layout)
{
    const bool moved = layout.axis != layout_.axis ||
                       (layout.axis == CurvesPanel::XAxis::RelativeTime && layout.runStarts != layout_.runStarts);
    // std::ranges::equal, not QList's operator==: Qt 6.4's memcmps an empty list's null data
    // (undefined behaviour, caught by UBSan in app.main_window).
    const bool restyled = moved || !std::ranges::equal(layout.runs, layout_.runs) ||
                          layout.metrics != layout_.metrics || layout.runNames != layout_.runNames;
    layout_ = layout;
    if (moved)
        for (auto& curve : curves_)
            place(curve);
    const bool staged = placeStageLines();
    if (restyled)
        style();
    return restyled || staged;
}

double CurvePainter::xOf(qint64 run, const core::SeriesPoint& p) const
{
    switch (layout_.axis) {
    case CurvesPanel::XAxis::Step:
        return double(p.step);
    case CurvesPanel::XAxis::RelativeTime:
        return p.wallTime - layout_.runStarts.value(run);
    case CurvesPanel::XAxis::WallTime:
        return p.wallTime;
    }
    return double(p.step);
}

bool CurvePainter::setSeries(std::vector<SeriesView> series)
{
    bool changed = series.size() != curves_.size();
    std::vector<Curve> next;
    for (auto& view : series) {
        const auto kept = std::find_if(curves_.begin(), curves_.end(), [&](const Curve& c) {
            return c.raw && c.data.run == view.run && c.data.key == view.key;
        });
        if (kept == curves_.end()) {
            Curve curve;
            curve.raw = plot_->addGraph();
            curve.smooth = plot_->addGraph();
            curve.raw->removeFromLegend();
            // The faint raw curve is dense and half hidden: antialiasing it doubles replots.
            curve.raw->setAntialiased(false);
            curve.data = std::move(view);
            place(curve);
            next.push_back(std::move(curve));
            changed = true;
            continue;
        }
        Curve curve = std::move(*kept);
        kept->raw = nullptr; // moved on: not removed below
        const size_t had = curve.data.points.size();
        const bool grew = view.revision == curve.data.revision && view.points.size() > had;
        const bool same = view.revision == curve.data.revision && view.points.size() == had;
        curve.data = std::move(view);
        if (grew) {
            for (size_t i = had; i < curve.data.points.size(); ++i)
                curve.x << xOf(curve.data.run, curve.data.points[i]);
            fill(curve, had);
        } else if (!same) {
            place(curve);
        }
        changed = changed || !same;
        next.push_back(std::move(curve));
    }
    for (const Curve& gone : curves_)
        if (gone.raw) {
            removeGraphs(gone);
            changed = true;
        }
    curves_ = std::move(next);
    if (changed)
        style(); // pens thin out as a series grows long; the legend follows the order
    return changed;
}

void CurvePainter::clear()
{
    setSeries({});
    setStages({});
}

const CurvePainter::Curve* CurvePainter::find(qint64 run, const QString& key) const
{
    for (const auto& curve : curves_)
        if (curve.data.run == run && curve.data.key == key)
            return &curve;
    return nullptr;
}

void CurvePainter::removeGraphs(const Curve& curve)
{
    for (QCPGraph* graph : {curve.raw, curve.smooth, curve.bandLow, curve.bandHigh})
        if (graph)
            plot_->removeGraph(graph);
}

void CurvePainter::drawBand(Curve& curve)
{
    const SeriesView& s = curve.data;
    if (s.errors.empty()) {
        for (QCPGraph** graph : {&curve.bandLow, &curve.bandHigh})
            if (*graph) {
                plot_->removeGraph(*graph);
                *graph = nullptr;
            }
        return;
    }
    if (!curve.bandLow) {
        curve.bandLow = plot_->addGraph();
        curve.bandHigh = plot_->addGraph();
        for (QCPGraph* graph : {curve.bandLow, curve.bandHigh}) {
            graph->removeFromLegend();
            graph->setPen(Qt::NoPen);
            graph->setLayer("grid"); // under the curves
        }
        curve.bandHigh->setChannelFillGraph(curve.bandLow);
    }
    // Errors are stored at the steps of their values; a value without one gets no band there.
    QVector<double> x, low, high;
    size_t e = 0;
    for (size_t i = 0; i < s.points.size(); ++i) {
        while (e < s.errors.size() && s.errors[e].step < s.points[i].step)
            ++e;
        if (e == s.errors.size() || s.errors[e].step != s.points[i].step)
            continue;
        x << curve.x[qsizetype(i)];
        low << s.points[i].value - s.errors[e].value;
        high << s.points[i].value + s.errors[e].value;
    }
    const bool sorted = layout_.axis == CurvesPanel::XAxis::Step;
    curve.bandLow->setData(x, low, sorted);
    curve.bandHigh->setData(x, high, sorted);
}

void CurvePainter::place(Curve& curve)
{
    curve.x.clear();
    curve.x.reserve(qsizetype(curve.data.points.size()));
    for (const auto& p : curve.data.points)
        curve.x << xOf(curve.data.run, p);
    fill(curve, 0);
}

void CurvePainter::fill(Curve& curve, size_t from)
{
    // A NaN point where the line breaks: QCustomPlot leaves a gap there. curve.x and the data
    // stay one entry per point, for clicks and exports.
    const SeriesView& s = curve.data;
    QVector<double> x, raw, smoothed;
    auto nextBreak = std::lower_bound(s.breaks.begin(), s.breaks.end(), std::max<size_t>(from, 1));
    for (size_t i = from; i < s.points.size(); ++i) {
        const auto at = qsizetype(i);
        if (nextBreak != s.breaks.end() && *nextBreak == i) {
            x << (curve.x[at - 1] + curve.x[at]) / 2;
            raw << qQNaN();
            smoothed << qQNaN();
            ++nextBreak;
        }
        x << curve.x[at];
        raw << s.points[i].value;
        smoothed << s.smoothed[i];
    }
    // Wall times of a resumed run can step back; only step order is guaranteed sorted.
    const bool sorted = layout_.axis == CurvesPanel::XAxis::Step;
    if (from == 0) {
        curve.raw->setData(x, raw, sorted);
        curve.smooth->setData(x, smoothed, sorted);
    } else {
        curve.raw->addData(x, raw, sorted);
        curve.smooth->addData(x, smoothed, sorted);
    }
    drawBand(curve);
}

void CurvePainter::styleXAxis(CurvesPanel::XAxis axis)
{
    // The panel's strings, in its translation context.
    auto text = [](const char* s) { return QCoreApplication::translate("thinkbench::widgets::CurvesPanel", s); };
    switch (axis) {
    case CurvesPanel::XAxis::Step:
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot_->xAxis->setLabel(text(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Step")));
        break;
    case CurvesPanel::XAxis::RelativeTime:
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot_->xAxis->setLabel(text(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Seconds since run start")));
        break;
    case CurvesPanel::XAxis::WallTime: {
        auto ticker = QSharedPointer<QCPAxisTickerDateTime>(new QCPAxisTickerDateTime);
        ticker->setDateTimeFormat(QStringLiteral("hh:mm:ss"));
        plot_->xAxis->setTicker(ticker);
        plot_->xAxis->setLabel(text(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Wall time")));
        break;
    }
    }
}

QColor CurvePainter::runColor(const QList<qint64>& runs, qint64 run)
{
    return kPalette[std::max<qsizetype>(0, runs.indexOf(run)) % 10];
}

size_t CurvePainter::indexAt(const Curve& curve, double x)
{
    const auto it = std::upper_bound(curve.x.begin(), curve.x.end(), x);
    return size_t(it == curve.x.begin() ? 0 : it - curve.x.begin() - 1);
}

void CurvePainter::style()
{
    for (const auto& curve : curves_) {
        const SeriesView& s = curve.data;
        const QColor color = runColor(layout_.runs, s.run);
        const Qt::PenStyle line = kStyles[std::max<qsizetype>(0, layout_.metrics.indexOf(s.key)) % 4];
        QColor faint = color;
        faint.setAlpha(kRawAlpha);
        curve.raw->setPen(QPen(faint, 1));
        curve.smooth->setPen(QPen(color, smoothPenWidth(s), line));
        curve.smooth->setScatterStyle(sparse(s) ? QCPScatterStyle(QCPScatterStyle::ssDisc, 5) : QCPScatterStyle());
        if (curve.bandHigh) {
            QColor band = color;
            band.setAlpha(kBandAlpha);
            curve.bandHigh->setBrush(band);
        }
        const QString run = QStringLiteral("#%1 %2").arg(s.run).arg(layout_.runNames.value(s.run));
        curve.smooth->setName(layout_.runs.size() == 1      ? s.key
                              : layout_.metrics.size() == 1 ? run
                                                            : run + QStringLiteral(" · ") + s.key);
    }
    if (style_ == Style::Compact)
        return;
    // Refilled in series order, so the rows have no holes left by removed graphs.
    plot_->legend->clearItems();
    for (const auto& curve : curves_)
        curve.smooth->addToLegend();
    plot_->legend->setVisible(!curves_.empty());
    wrapLegend(true);
}

void CurvePainter::wrapLegend(bool refill)
{
    if (style_ == Style::Compact)
        return;
    const int columns = std::max(1, plot_->width() / 260);
    if (refill || plot_->legend->wrap() != columns) {
        plot_->legend->setWrap(columns);
        plot_->legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    }
}

bool CurvePainter::setStages(const QHash<qint64, std::vector<core::StageInfo>>& stages)
{
    stages_ = stages;
    return placeStageLines();
}

bool CurvePainter::placeStageLines()
{
    // Overlaid runs of one recipe share their boundaries: one line per (x, stage name).
    std::vector<std::pair<double, QString>> marks;
    QSet<QString> seen;
    for (qint64 run : layout_.runs)
        for (const auto& stage : stages_.value(run)) {
            if (stage.firstStep < 0)
                continue;
            double x = double(stage.firstStep);
            if (layout_.axis == CurvesPanel::XAxis::RelativeTime)
                x = stage.startedAt - layout_.runStarts.value(run);
            else if (layout_.axis == CurvesPanel::XAxis::WallTime)
                x = stage.startedAt;
            const QString name = QString::fromStdString(stage.name);
            if (seen.contains(QString::number(x, 'g', 15) + name))
                continue;
            seen.insert(QString::number(x, 'g', 15) + name);
            marks.emplace_back(x, name);
        }
    if (std::equal(
            marks.begin(), marks.end(), stageLines_.begin(), stageLines_.end(),
            [](const auto& mark, const StageLine& line) { return mark.first == line.x && mark.second == line.name; }))
        return false;

    for (const auto& line : stageLines_) {
        if (line.label)
            plot_->removeItem(line.label);
        plot_->removeItem(line.line);
    }
    stageLines_.clear();
    for (const auto& [x, name] : marks) {
        auto* line = new QCPItemStraightLine(plot_);
        line->setLayer("stages");
        line->setPen(QPen(QColor(90, 90, 90, 150), 1, Qt::DashLine));
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        if (style_ == Style::Compact) { // too narrow for names
            stageLines_.push_back({x, name, line, nullptr});
            continue;
        }
        auto* label = new QCPItemText(plot_);
        label->setLayer("stageLabels");
        label->setBrush(QColor(255, 255, 255, 200));
        label->setText(name);
        label->setColor(QColor(70, 70, 70));
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0.02);
        // Rotated along the line, to its right: close stages never overlap horizontally.
        label->setRotation(-90);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        label->setPadding(QMargins(2, 3, 2, 3));
        stageLines_.push_back({x, name, line, label});
    }
    return true;
}

QStringList CurvePainter::stageLabels() const
{
    QStringList labels;
    for (const auto& line : stageLines_)
        labels << line.name;
    return labels;
}

void CurvePainter::rescaleY(bool ignoreOutliers)
{
    if (curves_.empty())
        return;
    const bool log = plot_->yAxis->scaleType() == QCPAxis::stLogarithmic;
    if (!ignoreOutliers) {
        for (size_t i = 0; i < curves_.size(); ++i)
            curves_[i].raw->rescaleValueAxis(i > 0, true);
        for (const auto& curve : curves_)
            for (QCPGraph* graph : {curve.smooth, curve.bandLow, curve.bandHigh})
                if (graph)
                    graph->rescaleValueAxis(true, true);
        QCPRange y = plot_->yAxis->range();
        if (!log) {
            const double margin = y.size() > 0 ? 0.04 * y.size() : std::max(1e-9, std::abs(y.lower) * 0.05);
            y = QCPRange(y.lower - margin, y.upper + margin);
        }
        plot_->yAxis->setRange(y);
        return;
    }
    // The 1st..99th percentile of the visible raw points, so one spike cannot flatten the rest.
    const QCPRange range = plot_->xAxis->range();
    std::vector<double> values;
    for (const auto& curve : curves_)
        for (qsizetype i = 0; i < curve.x.size(); ++i) {
            const double v = curve.data.points[size_t(i)].value;
            if (range.contains(curve.x[i]) && std::isfinite(v) && (!log || v > 0))
                values.push_back(v);
        }
    if (values.empty())
        return;
    auto at = [&](double q) {
        const size_t k = std::min(values.size() - 1, size_t(q * double(values.size() - 1)));
        std::nth_element(values.begin(), values.begin() + long(k), values.end());
        return values[k];
    };
    const double low = at(0.01), high = at(0.99);
    QCPRange y(low, high);
    if (log) {
        y = QCPRange(low / 1.1, high * 1.1);
    } else {
        const double margin = high > low ? 0.05 * (high - low) : std::max(1e-9, std::abs(low) * 0.05);
        y = QCPRange(low - margin, high + margin);
    }
    plot_->yAxis->setRange(y);
}

void CurvePainter::showCrosshair(double x)
{
    crosshair_->point1->setCoords(x, 0);
    crosshair_->point2->setCoords(x, 1);
    crosshair_->setVisible(!curves_.empty());
    plot_->layer("overlay")->replot(); // the curves stay as they are drawn
}

void CurvePainter::hideCrosshair()
{
    crosshair_->setVisible(false);
}

std::optional<double> CurvePainter::crosshairX() const
{
    if (!crosshair_->visible())
        return std::nullopt;
    return crosshair_->point1->coords().x();
}

std::pair<const CurvePainter::Curve*, size_t> CurvePainter::pointAt(QPointF pos) const
{
    const Curve* best = nullptr;
    double bestDistance = plot_->selectionTolerance();
    double bestKey = 0;
    for (const auto& curve : curves_)
        for (QCPGraph* graph : {curve.smooth, curve.raw}) {
            QVariant details;
            const double distance = graph->selectTest(pos, false, &details);
            if (distance < 0 || distance >= bestDistance)
                continue;
            const auto selection = details.value<QCPDataSelection>();
            if (selection.isEmpty())
                continue;
            bestDistance = distance;
            best = &curve;
            bestKey = graph->data()->at(selection.dataRange().begin())->key;
        }
    if (!best)
        return {nullptr, 0};
    const auto it = std::min_element(best->x.begin(), best->x.end(),
                                     [&](double a, double b) { return std::abs(a - bestKey) < std::abs(b - bestKey); });
    return {best, size_t(it - best->x.begin())};
}

} // namespace thinkbench::widgets
