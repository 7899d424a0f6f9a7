#pragma once
// The curves panel: any metric of any runs of the run store, overlaid (one colour per run, one
// line style per metric), smoothed with TensorBoard's debiased EMA over the faint raw curve,
// against step, time since run start or wall time, with the run's stage boundaries drawn as
// labelled lines. Series are read downsampled for the visible x-range (spikes survive the
// store's min/max buckets) and followed live: a poll reads only points newer than the last step
// seen per series and appends them; replots are coalesced on a timer.
//
// The store is never read on the GUI thread: a loader (curves/series_loader) fills the engine's
// series models (core::MetricSeries) on a worker thread and hands snapshots back, a painter
// (curves/curve_painter) draws them. The panel holds the controls and what the user chose.
//
// It opens on the dashboard (dashboard/dashboard_view: a small chart per metric of the runs);
// "Single chart" (or opening a small chart) shows the large chart of the chosen metrics.

#include <QHash>
#include <QList>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QSlider;
class QStackedWidget;
class QTimer;
class QToolButton;

namespace thinkbench::core {
class RunStore;
}

namespace thinkbench::widgets {

class CurvePainter;
class CurvesChooser;
class DashboardView;
class SeriesLoader;
struct CurvesSnapshot;
enum class MetricFamily;

class CurvesPanel : public QWidget {
    Q_OBJECT

public:
    enum class XAxis { Step, RelativeTime, WallTime };
    Q_ENUM(XAxis)
    enum class View { Dashboard, SingleChart };
    Q_ENUM(View)

    explicit CurvesPanel(QWidget* parent = nullptr);
    ~CurvesPanel() override;

    // The store is not owned. The panel reads the store's file through a connection of its own,
    // so the store may go at any time; nullptr empties the panel.
    void setStore(core::RunStore* store);
    core::RunStore* store() const { return store_; }

    // Runs overlaid and metrics shown; a (run, metric) pair becomes a series when the run has it.
    void setRuns(const QList<qint64>& runs);
    QList<qint64> runs() const { return runs_; }
    void setMetrics(const QStringList& keys);
    QStringList metrics() const { return metrics_; }
    // Every metric key of the overlaid runs, sorted.
    QStringList availableMetrics();
    // Narrows the single chart's metric list to a family; none lists all.
    void setFamily(std::optional<MetricFamily> family);
    std::optional<MetricFamily> family() const;

    void setView(View view);
    View view() const { return view_; }
    DashboardView* dashboard() const { return dashboard_; }

    void setSmoothing(double weight); // 0 .. 0.99
    double smoothing() const { return smoothing_; }
    void setXAxis(XAxis mode);
    XAxis xAxis() const { return xAxis_; }
    void setLogScale(bool on);
    bool logScale() const;
    void setIgnoreOutliers(bool on);
    bool ignoreOutliers() const;
    // Polls the store every `ms` milliseconds; 0 stops.
    void setLiveInterval(int ms);
    int liveInterval() const;
    // Zooms the x-axis as a user would and re-reads the visible range at full resolution.
    void setXRange(double lower, double upper);

    // Blocks until the reads in flight have landed and are drawn. For exports, scripts and
    // tests, which want the data of the choice just made; the window itself never waits.
    void waitForData();

    // These wait for the reads in flight first.
    // The plotted points (downsampled where the series is long): step, wall time, raw, smoothed.
    bool exportCsv(const QString& path);
    bool exportPng(const QString& path, int width = 0, int height = 0);
    int seriesCount();
    int pointCount(qint64 run, const QString& key);
    QVector<double> xValues(qint64 run, const QString& key);
    QVector<double> rawValues(qint64 run, const QString& key);
    QVector<double> smoothedValues(qint64 run, const QString& key);
    int stageLineCount();
    QStringList stageLabels();

    QCustomPlot* plot() const { return plot_; }
    // The crosshair's readout: the value of every series at the cursor's x.
    QString readout() const;

public slots:
    // Appends the points written since the last poll, picks up new runs, keys and stages.
    void refresh();
    // Rescales both axes to the data (and back to the full-range downsampling).
    void resetView();
    // Moves the crosshair to plot x-coordinate x and updates the readout.
    void setCursorX(double x);

signals:
    // A data point was clicked; `step` is the run-wide step of the point.
    void stepClicked(qint64 run, qint64 step);

private:
    QStringList keysOfRuns() const;
    void updateMetricList();
    void request(bool readRuns, bool appendNew);
    void apply(const CurvesSnapshot& snapshot);
    bool layOut();
    void rescale();
    void clearCursor();
    size_t maxPoints() const;
    void onMouseRelease(QMouseEvent* event);
    void queueReplot();
    void chooseCsv();
    void choosePng();

    core::RunStore* store_ = nullptr;
    QList<qint64> runs_;
    QStringList metrics_;
    quint64 selection_ = 0;     // bumped by every choice of runs or metrics
    bool pickHeadline_ = false; // the runs were chosen last: none of the metrics there, the headline
    double smoothing_ = 0.6;
    View view_ = View::Dashboard;
    XAxis xAxis_ = XAxis::Step;
    bool userZoomed_ = false;
    bool settingRange_ = false;
    double cursorX_ = 0;
    bool cursorSet_ = false;
    QPoint pressPos_;
    QHash<qint64, QString> runNames_;
    QHash<qint64, double> runStart_;
    QHash<qint64, QStringList> runKeys_;

    CurvesChooser* chooser_;
    QToolButton* dashboardButton_;
    QToolButton* singleButton_;
    QStackedWidget* stack_;
    DashboardView* dashboard_;
    QSlider* smoothingSlider_;
    QLabel* smoothingLabel_;
    QComboBox* xAxisBox_;
    QCheckBox* logBox_;
    QCheckBox* outlierBox_;
    QCustomPlot* plot_;
    std::unique_ptr<CurvePainter> painter_;
    SeriesLoader* loader_;
    QLabel* readout_;
    QTimer* replotTimer_;
    QTimer* detailTimer_;
    QTimer* liveTimer_;
};

} // namespace thinkbench::widgets
