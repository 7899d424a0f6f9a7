#pragma once
// Draws the curves panel's series on its plot and reads nothing: per series a faint raw graph and
// a smoothed graph over it (one colour per run, one line style per metric), a shaded band of
// ± one standard error where the series has one (evaluations' pass@1), a NaN point where the
// series' line breaks, the legend above the plot, the stages' boundary lines, the crosshair and
// the y-range. The curves panel's large chart and the dashboard's small charts both draw here.

#include "widgets/curves/series_loader.h"
#include "widgets/curves_panel.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QStringList>
#include <QVector>

#include <optional>
#include <utility>
#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;

namespace thinkbench::widgets {

// What places and names the curves besides their points.
struct CurveLayout {
    CurvesPanel::XAxis axis = CurvesPanel::XAxis::Step;
    QList<qint64> runs;  // colours follow this order
    QStringList metrics; // line styles follow this order
    QHash<qint64, QString> runNames;
    QHash<qint64, double> runStarts;
};

class CurvePainter {
public:
    struct Curve {
        SeriesView data;
        QVector<double> x; // of data.points on the layout's axis
        QCPGraph* raw = nullptr;
        QCPGraph* smooth = nullptr;
        // value ± standard error, the space between filled; none without errors
        QCPGraph* bandLow = nullptr;
        QCPGraph* bandHigh = nullptr;
    };

    // Full: the large chart, with the legend's row and named stage lines. Compact: a small chart
    // of one metric, without a legend (the dashboard names the runs once), stage lines unnamed,
    // small tick labels, x-only drag and zoom (its y follows the data).
    enum class Style { Full, Compact };

    // Sets up the plot: drag and wheel zoom, the legend's row, the stage layers.
    explicit CurvePainter(QCustomPlot* plot, Style style = Style::Full);

    // A run's colour: by its place among the runs shown, so it is the same in every chart.
    static QColor runColor(const QList<qint64>& runs, qint64 run);
    // The index of the curve's last point at or before x, or its first point.
    static size_t indexAt(const Curve& curve, double x);

    // The x-axis' ticker and label for `axis` (the large chart's; small charts are unlabelled).
    void styleXAxis(CurvesPanel::XAxis axis);
    // A new axis or run order re-places the curves and stage lines; names and colours follow.
    // Returns whether anything looks different.
    bool setLayout(const CurveLayout& layout);
    // Makes the graphs match `series`, in order: series re-read are filled anew, series that only
    // grew get their new points appended. Returns whether anything changed.
    bool setSeries(std::vector<SeriesView> series);
    void clear();
    const std::vector<Curve>& curves() const { return curves_; }
    const Curve* find(qint64 run, const QString& key) const;

    // One dashed line per stage start, labelled; overlaid runs sharing a boundary share a line.
    // Returns whether the lines changed.
    bool setStages(const QHash<qint64, std::vector<core::StageInfo>>& stages);
    int stageLineCount() const { return int(stageLines_.size()); }
    QStringList stageLabels() const;

    // The y-range over every curve, or over the 1st..99th percentile of the visible raw points.
    void rescaleY(bool ignoreOutliers);
    // As many legend columns as fit the plot's width.
    void wrapLegend(bool refill);
    void showCrosshair(double x);
    void hideCrosshair();
    std::optional<double> crosshairX() const;
    // The curve and point a click at `pos` hit, if any.
    std::pair<const Curve*, size_t> pointAt(QPointF pos) const;

private:
    double xOf(qint64 run, const core::SeriesPoint& p) const;
    void place(Curve& curve);
    void fill(Curve& curve, size_t from);
    void drawBand(Curve& curve);
    void removeGraphs(const Curve& curve);
    void style();
    bool placeStageLines();

    QCustomPlot* plot_;
    Style style_;
    QCPItemStraightLine* crosshair_;
    CurveLayout layout_;
    std::vector<Curve> curves_;
    QHash<qint64, std::vector<core::StageInfo>> stages_;
    struct StageLine {
        double x;
        QString name;
        QCPItemStraightLine* line;
        QCPItemText* label; // none in the compact style
    };
    std::vector<StageLine> stageLines_;
};

} // namespace thinkbench::widgets
