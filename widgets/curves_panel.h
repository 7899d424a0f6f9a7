#pragma once
// The curves panel: any metric of any runs of the run store, overlaid (one colour per run, one
// line style per metric), smoothed with TensorBoard's debiased EMA over the faint raw curve,
// against step, time since run start or wall time, with the run's stage boundaries drawn as
// labelled lines. Series are read downsampled for the visible x-range (spikes survive the
// store's min/max buckets) and followed live: a poll reads only points newer than the last step
// seen per series and appends them; replots are coalesced on a timer.

#include <QHash>
#include <QList>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QListWidget;
class QMouseEvent;
class QSlider;
class QTimer;

namespace thinkbench::core {
class RunStore;
struct StageInfo;
}

namespace thinkbench::widgets {

class CurvesPanel : public QWidget {
    Q_OBJECT

public:
    enum class XAxis { Step, RelativeTime, WallTime };
    Q_ENUM(XAxis)
    // Metric families of the selector, by key prefix.
    enum class Family { All, Reward, Accuracy, Length, KlEntropyClip, Experts, Other };
    Q_ENUM(Family)

    explicit CurvesPanel(QWidget* parent = nullptr);
    ~CurvesPanel() override;

    // The store is not owned; it must outlive the widget or be reset with nullptr.
    void setStore(core::RunStore* store);
    core::RunStore* store() const { return store_; }

    // Runs overlaid and metrics shown; a (run, metric) pair becomes a series when the run has it.
    void setRuns(const QList<qint64>& runs);
    QList<qint64> runs() const { return runs_; }
    void setMetrics(const QStringList& keys);
    QStringList metrics() const { return metrics_; }
    // Every metric key of the overlaid runs, sorted.
    QStringList availableMetrics() const;
    static Family metricFamily(const QString& key);
    void setFamily(Family family);
    Family family() const { return family_; }

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

    // The plotted points (downsampled where the series is long): step, wall time, raw, smoothed.
    bool exportCsv(const QString& path) const;
    bool exportPng(const QString& path, int width = 0, int height = 0);

    QCustomPlot* plot() const { return plot_; }
    int seriesCount() const { return int(series_.size()); }
    int pointCount(qint64 run, const QString& key) const;
    QVector<double> xValues(qint64 run, const QString& key) const;
    QVector<double> rawValues(qint64 run, const QString& key) const;
    QVector<double> smoothedValues(qint64 run, const QString& key) const;
    int stageLineCount() const { return int(stageLines_.size()); }
    QStringList stageLabels() const;
    // The crosshair's readout: the value of every series at the cursor's x.
    QString readout() const;

    // TensorBoard's smoothing: an EMA started at 0 and divided by 1 - weight^n, so early points
    // are not pulled toward 0.
    static QVector<double> debiasedEma(const QVector<double>& values, double weight);

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
    struct Series;

    void populateRuns();
    void updateMetricList();
    void syncSeries();
    void loadSeries(Series& s);
    void loadDetail();
    void rebuildShown(Series& s);
    void updateGraphs(Series& s);
    void fillGraphs(Series& s, size_t from);
    void styleSeries();
    static double smoothPenWidth(const Series& s);
    void wrapLegend(bool refill);
    void rebuildStageLines();
    void rescaleY();
    void applyXAxisStyle();
    double xOf(const Series& s, double step, double wallTime) const;
    void rememberStageSteps(qint64 run, const std::vector<core::StageInfo>& stages);
    bool gapBetween(const Series& s, qint64 afterStep, qint64 beforeStep);
    size_t maxPoints() const;
    Series* find(qint64 run, const QString& key) const;
    void onMouseRelease(QMouseEvent* event);
    void queueReplot();
    void chooseCsv();
    void choosePng();

    core::RunStore* store_ = nullptr;
    QList<qint64> runs_;
    QStringList metrics_;
    Family family_ = Family::All;
    double smoothing_ = 0.6;
    XAxis xAxis_ = XAxis::Step;
    bool userZoomed_ = false;
    bool settingRange_ = false;
    double cursorX_ = 0;
    bool cursorSet_ = false;
    QPoint pressPos_;
    QHash<qint64, QString> runNames_;
    QHash<qint64, double> runStart_;
    QHash<qint64, QStringList> runKeys_;
    QHash<qint64, int> runStageCount_;
    // First and last step of each stage that has steps of its own (not an evaluation stamped with
    // the step before it): a line is broken across such a stage when its metric has no points
    // there (SFT between two GRPO stages) rather than drawn through it.
    QHash<qint64, QVector<QPair<qint64, qint64>>> runStageSteps_;
    std::vector<std::unique_ptr<Series>> series_;
    struct StageLine {
        QCPItemStraightLine* line;
        QCPItemText* label;
    };
    std::vector<StageLine> stageLines_;

    QListWidget* runList_;
    QComboBox* familyBox_;
    QListWidget* metricList_;
    QSlider* smoothingSlider_;
    QLabel* smoothingLabel_;
    QComboBox* xAxisBox_;
    QCheckBox* logBox_;
    QCheckBox* outlierBox_;
    QCustomPlot* plot_;
    QCPItemStraightLine* crosshair_;
    QLabel* readout_;
    QTimer* replotTimer_;
    QTimer* detailTimer_;
    QTimer* liveTimer_;
};

} // namespace thinkbench::widgets
