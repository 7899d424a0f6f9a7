#include "widgets/emergence/story_plot.h"

#include "core/store/metric_series.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace thinkbench::widgets {

namespace {

const QColor kPass1(31, 119, 180);
const QColor kReflection(255, 127, 14);
const QColor kLength(44, 160, 44);
const QColor kEvalStage(23, 60, 110);
constexpr double kSmoothing = 0.6; // TensorBoard's default
constexpr int kFaintAlpha = 70;
constexpr int kBandAlpha = 50;

QColor faint(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

// The axis top: a little headroom over the highest value, on a round number.
double niceTop(double highest, double step, double cap)
{
    const double top = std::ceil(std::max(highest, step / 2) * 1.12 / step) * step;
    return std::min(top, cap);
}

} // namespace

QString StoryPlot::pass1Name()
{
    return tr("held-out pass@1 (± 1 s.e.)");
}

QString StoryPlot::evalStagesName()
{
    return tr("pass@1 of the eval stages before and after");
}

QString StoryPlot::reflectionName()
{
    return tr("responses with reflection markers");
}

QString StoryPlot::lengthName()
{
    return tr("mean response length (right axis)");
}

StoryPlot::StoryPlot(QCustomPlot* plot)
    : plot_(plot)
{
    // The legend gets a row of its own above the plot, where it hides no curve.
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(3);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setVisible(true);
    plot_->xAxis->setLabel(tr("training step"));
    plot_->yAxis->setLabel(tr("pass@1, reflection share (%)"));
    plot_->yAxis2->setLabel(tr("tokens"));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setTickLabelColor(kLength.darker(130));
    plot_->yAxis2->setLabelColor(kLength.darker(130));
    for (Marker* m : {&early_, &late_}) {
        m->line = new QCPItemStraightLine(plot_);
        m->line->setPen(QPen(QColor(0, 0, 0, 110), 1, Qt::DashLine));
        m->label = new QCPItemText(plot_);
        m->label->setText(m == &early_ ? tr("early trace") : tr("late trace"));
        m->label->setColor(QColor(60, 60, 60));
        // Beside the line, toward the middle: the early line often sits at the left edge, the
        // late one at the right.
        m->label->setPositionAlignment(Qt::AlignTop | (m == &early_ ? Qt::AlignLeft : Qt::AlignRight));
        m->label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        m->label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m->label->setBrush(QColor(255, 255, 255, 220));
        m->label->setPadding(QMargins(2, 1, 2, 1));
    }
}

void StoryPlot::draw(const core::EmergenceStory& story)
{
    plot_->clearPlottables();
    double highestShare = 0;
    if (!story.pass1.empty()) {
        QVector<double> x, y, low, high;
        for (const auto& p : story.pass1) {
            x << double(p.step);
            y << 100 * p.value;
            low << 100 * (p.value - p.error);
            high << 100 * (p.value + p.error);
            highestShare = std::max(highestShare, high.back());
        }
        QCPGraph* bandLow = plot_->addGraph();
        QCPGraph* bandHigh = plot_->addGraph();
        for (QCPGraph* g : {bandLow, bandHigh}) {
            g->setPen(Qt::NoPen);
            g->removeFromLegend();
        }
        bandLow->setData(x, low, true);
        bandHigh->setData(x, high, true);
        bandHigh->setChannelFillGraph(bandLow);
        bandHigh->setBrush(faint(kPass1, kBandAlpha));
        QCPGraph* pass1 = plot_->addGraph();
        pass1->setName(pass1Name());
        pass1->setPen(QPen(kPass1, 2.4));
        pass1->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kPass1, 8));
        pass1->setData(x, y, true);
        pass1->setProperty("storySeries", pass1Name());
    }
    if (!story.evalStages.empty()) {
        QVector<double> x, y, errors;
        for (const auto& p : story.evalStages) {
            x << double(p.step);
            y << 100 * p.value;
            errors << 100 * p.error;
            highestShare = std::max(highestShare, 100 * (p.value + p.error));
        }
        QCPGraph* evals = plot_->addGraph();
        evals->setName(evalStagesName());
        evals->setProperty("storySeries", evalStagesName());
        evals->setLineStyle(QCPGraph::lsNone);
        evals->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(kEvalStage, 2), Qt::white, 11));
        evals->setData(x, y, true);
        auto* bars = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(evals);
        bars->setData(errors);
        bars->setPen(QPen(kEvalStage, 1.5));
    }
    const auto perStep = [&](const std::vector<core::SeriesPoint>& series, const QString& name, QColor color,
                             double scale, QCPAxis* axis) {
        if (series.empty())
            return 0.0;
        QVector<double> x, y;
        std::vector<double> values;
        for (const auto& p : series) {
            x << double(p.step);
            y << scale * p.value;
            values.push_back(scale * p.value);
        }
        const auto smoothed = core::debiasedEma(values, kSmoothing);
        QCPGraph* raw = plot_->addGraph(plot_->xAxis, axis);
        raw->setPen(QPen(faint(color, kFaintAlpha), 1.2));
        raw->setData(x, y, true);
        raw->removeFromLegend();
        raw->setProperty("storySeries", name);
        QCPGraph* smooth = plot_->addGraph(plot_->xAxis, axis);
        smooth->setName(name);
        smooth->setPen(QPen(color, 2.4));
        smooth->setData(x, QVector<double>(smoothed.begin(), smoothed.end()), true);
        return *std::max_element(values.begin(), values.end());
    };
    highestShare = std::max(highestShare, perStep(story.reflection, reflectionName(), kReflection, 100, plot_->yAxis));
    const double longest = perStep(story.length, lengthName(), kLength, 1, plot_->yAxis2);
    // The eval stage before is stamped with the step before the stage's first.
    double first = double(story.stage.firstStep), last = double(story.stage.lastStep);
    for (const auto& p : story.evalStages) {
        first = std::min(first, double(p.step));
        last = std::max(last, double(p.step));
    }
    // Room for the markers at either end, clear of the axes.
    const double pad = 0.5 + 0.015 * (last - first);
    plot_->xAxis->setRange(first - pad, last + pad);
    plot_->yAxis->setLabel(story.pass1.empty() && story.evalStages.empty() ? tr("reflection share (%)")
                                                                           : tr("pass@1, reflection share (%)"));
    plot_->yAxis->setRange(0, niceTop(highestShare, 10, 100));
    plot_->yAxis2->setRange(0, niceTop(longest, 20, 1e9));
    for (Marker* m : {&early_, &late_}) {
        m->line->setVisible(false);
        m->label->setVisible(false);
    }
    plot_->replot();
}

void StoryPlot::placeMarker(Marker& marker, qint64 step)
{
    marker.line->point1->setCoords(double(step), 0);
    marker.line->point2->setCoords(double(step), 1);
    marker.label->position->setCoords(double(step), 0.02);
    marker.line->setVisible(true);
    marker.label->setVisible(true);
}

void StoryPlot::markTrace(bool late, qint64 step)
{
    placeMarker(late ? late_ : early_, step);
    plot_->replot();
}

double StoryPlot::valueAt(const QString& name, qint64 step) const
{
    for (int i = 0; i < plot_->graphCount(); ++i) {
        QCPGraph* g = plot_->graph(i);
        if (g->property("storySeries").toString() != name)
            continue;
        const auto it = g->data()->findBegin(double(step), false);
        if (it != g->data()->constEnd() && it->key == double(step))
            return it->value;
    }
    return qQNaN();
}

} // namespace thinkbench::widgets
