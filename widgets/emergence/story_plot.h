#pragma once
// Draws the emergence story's three series on one step axis and reads nothing: held-out pass@1
// with its ± one standard error band (the eval stages' pass@1 before and after the stage as
// squares with error bars) and the share of responses with reflection markers on the
// left axis (%), mean response length on the right axis (tokens); the per-step series faint with
// their debiased EMA over them; a dashed line at the step of each trace shown below the plot.

#include "core/store/emergence_story.h"

#include <QCoreApplication>

class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;

namespace thinkbench::widgets {

class StoryPlot {
    Q_DECLARE_TR_FUNCTIONS(thinkbench::widgets::StoryPlot)

public:
    explicit StoryPlot(QCustomPlot* plot);

    // The legend names of the series, as valueAt() takes them.
    static QString pass1Name();
    static QString evalStagesName();
    static QString reflectionName();
    static QString lengthName();

    void draw(const core::EmergenceStory& story);
    // Places the dashed line of the early (or late) trace at `step`.
    void markTrace(bool late, qint64 step);
    // The value plotted for a series at a step, in the plot's units (% or tokens); NaN where the
    // series has no point there. For tests and tooltips: what the reader sees.
    double valueAt(const QString& name, qint64 step) const;

private:
    struct Marker {
        QCPItemStraightLine* line = nullptr;
        QCPItemText* label = nullptr;
    };
    void placeMarker(Marker& marker, qint64 step);

    QCustomPlot* plot_;
    Marker early_;
    Marker late_;
};

} // namespace thinkbench::widgets
