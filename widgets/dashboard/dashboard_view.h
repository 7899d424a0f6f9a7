#pragma once
// The curves panel's dashboard (as TensorBoard's scalars and W&B's panels): one small chart per
// metric of the runs shown, in sections by metric family (pinned charts first), each chart with
// its own y-axis; the crosshair (a step) and the zoom linked across all charts (unzoomed, each
// spans its own steps: a GRPO metric is not squeezed into the end of a pipeline's steps); runs in
// the same colours everywhere. The families the runs' stage kinds are watched by start unfolded, the rest
// folded (or all unfolded with "Show all"); a regular expression over the keys narrows them.
// Pins persist in QSettings.
//
// Series are read off the GUI thread by the curves panel's loader, only for the charts unfolded;
// a poll appends what was written since and redraws only the charts that changed.

#include "widgets/dashboard/metric_families.h"

#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <string>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QScrollArea;
class QTimer;

namespace thinkbench::core {
struct StageInfo;
}

namespace thinkbench::widgets {

class ChartGrid;
class SeriesLoader;
class SmallChart;
struct CurvesSnapshot;

class DashboardView : public QWidget {
    Q_OBJECT

public:
    explicit DashboardView(QWidget* parent = nullptr);
    ~DashboardView() override;

    // The run database's file, read through a connection of the loader's own; empty: nothing.
    void setDatabase(const std::string& path);
    void setRuns(const QList<qint64>& runs);
    void setSmoothing(double weight);
    // Reads only while active (shown by the curves panel); becoming active reads what it missed.
    void setActive(bool on);
    bool busy() const;
    // Blocks until the reads in flight have landed and are drawn (exports, scripts, tests).
    void waitForData();

    // An invalid expression leaves the last valid one in force and says why (filterError()).
    void setFilter(const QString& pattern);
    QString filterError() const { return filterError_; }
    void setShowAll(bool on);
    void setPinned(const QString& key, bool on);
    QStringList pinned() const { return pinned_; }

    // The charts shown (in unfolded sections), in order: pinned first, then by family.
    QList<SmallChart*> charts() const;
    SmallChart* chart(const QString& key) const { return charts_.value(key); }
    ChartGrid* grid() const { return grid_; }
    std::optional<qint64> cursorStep() const { return cursorStep_; }

public slots:
    // Appends the points written since the last poll; picks up new runs, keys and stages.
    void refresh();
    // Moves the crosshair of every chart to step x and shows the values there.
    void setCursorStep(double x);
    // Back to the whole step range in every chart.
    void resetZoom();

signals:
    void stepClicked(qint64 run, qint64 step);
    // A chart asked to be opened as the curves panel's large chart.
    void openRequested(const QString& key);

private:
    void request(bool readRuns, bool appendNew);
    void apply(const CurvesSnapshot& snapshot);
    void syncCharts(const QHash<qint64, QStringList>& keys);
    SmallChart* addChart(const QString& key);
    void layOut();
    QStringList loadedKeys() const;
    void linkXRange(SmallChart* from, double lower, double upper);
    void showRunLegend();

    std::string database_;
    QList<qint64> runs_;
    double smoothing_ = 0.6;
    bool active_ = false;
    quint64 selection_ = 0;
    QStringList requested_; // the keys of the last request
    QHash<qint64, QString> runNames_;
    QHash<qint64, double> runStarts_;
    QHash<qint64, std::vector<core::StageInfo>> stages_;
    QHash<QString, SmallChart*> charts_;
    QRegularExpression filter_;
    QString filterError_;
    bool showAll_ = false;
    QHash<MetricFamily, bool> unfolded_; // by the user, over the stage kinds' default
    QStringList pinned_;
    bool userZoomed_ = false;                // unzoomed, each chart spans its own steps
    std::pair<double, double> xRange_{0, 1}; // zoomed: the steps every chart shows
    std::optional<qint64> cursorStep_;

    QLineEdit* filterEdit_;
    QCheckBox* showAllBox_;
    QLabel* stepLabel_;
    QLabel* legend_;
    QLabel* hint_;
    QScrollArea* scroll_;
    ChartGrid* grid_;
    SeriesLoader* loader_;
    QTimer* detailTimer_;
};

} // namespace thinkbench::widgets
