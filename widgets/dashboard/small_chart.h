#pragma once
// One metric of the dashboard: a header (the key, the values at the crosshair or the latest ones,
// a pin and an open-large button) over a compact plot drawn by the curves panel's painter, one
// curve per run. It reports what the user does (hover, click, x zoom) and keeps nothing of the
// other charts: the dashboard links them.

#include "widgets/curves/curve_painter.h"

#include <QFrame>

#include <memory>
#include <optional>
#include <vector>

class QCPRange;
class QCustomPlot;
class QLabel;
class QToolButton;

namespace thinkbench::widgets {

class SmallChart : public QFrame {
    Q_OBJECT

public:
    explicit SmallChart(const QString& key, QWidget* parent = nullptr);
    ~SmallChart() override;

    const QString& key() const { return key_; }
    QCustomPlot* plot() const { return plot_; }
    const CurvePainter& painter() const { return *painter_; }

    // As CurvePainter's: return whether anything looks different.
    bool setLayout(const CurveLayout& layout);
    bool setSeries(std::vector<SeriesView> series);
    bool setStages(const QHash<qint64, std::vector<core::StageInfo>>& stages);
    // The x-range the charts share, set without reporting it back; y fits the data inside it.
    void setXRange(double lower, double upper);
    // The steps of this chart's own points (when not zoomed); nothing without points.
    void fitX();
    void showCrosshair(double x);
    void hideCrosshair();
    // The header's values: at the crosshair, else the latest of each run.
    QString values() const;
    void setPinned(bool on);
    bool pinned() const;
    // Draws the plot again, now or queued; a plot scrolled out of view is drawn when it is next
    // painted, so a dashboard of 40 charts draws only those in view.
    void redraw(bool now = false);

signals:
    void hovered(double x);
    void stepClicked(qint64 run, qint64 step);
    // By the user: a drag or a Ctrl+wheel zoom.
    void xRangeChanged(double lower, double upper);
    void pinToggled(bool on);
    void openRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void showValues(std::optional<double> x);

    QString key_;
    QLabel* title_;
    QLabel* values_;
    QToolButton* pin_;
    QCustomPlot* plot_;
    std::unique_ptr<CurvePainter> painter_;
    bool settingRange_ = false;
    bool stale_ = false;
    QSize drawnSize_;
    QPoint pressPos_;
};

} // namespace thinkbench::widgets
