#include "widgets/curves_panel.h"

#include "core/error.h"
#include "core/store/run_store.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSet>
#include <QSlider>
#include <QSplitter>
#include <QTextStream>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace thinkbench::widgets {

namespace {

// Tableau 10: distinct on white and for the common colour-vision deficiencies.
const QColor kPalette[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                           {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                           {188, 189, 34},  {23, 190, 207}};
const Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
constexpr int kRawAlpha = 55;
constexpr int kReplotMs = 250;

} // namespace

// One (run, metric) pair. `coarse` covers the whole series at about maxPoints; `detail` is the
// visible range re-read at full resolution after a zoom; `shown` is what the graphs hold.
struct CurvesPanel::Series {
    qint64 run = 0;
    QString key;
    std::vector<core::SeriesPoint> coarse;
    bool complete = true; // coarse holds every point
    std::vector<core::SeriesPoint> detail;
    int64_t detailFrom = 0, detailTo = -1;
    std::vector<core::SeriesPoint> shown;
    QVector<double> x, raw, smoothed;
    double emaLast = 0; // EMA state after the last shown point, so live points continue it
    int emaCount = 0;
    int64_t lastStep = -1;
    QCPGraph* rawGraph = nullptr;
    QCPGraph* smoothGraph = nullptr;
};

CurvesPanel::CurvesPanel(QWidget* parent)
    : QWidget(parent)
    , runList_(new QListWidget(this))
    , familyBox_(new QComboBox(this))
    , metricList_(new QListWidget(this))
    , smoothingSlider_(new QSlider(Qt::Horizontal, this))
    , smoothingLabel_(new QLabel(this))
    , xAxisBox_(new QComboBox(this))
    , logBox_(new QCheckBox(tr("Log y"), this))
    , outlierBox_(new QCheckBox(tr("Ignore outliers"), this))
    , plot_(new QCustomPlot(this))
    , readout_(new QLabel(this))
    , replotTimer_(new QTimer(this))
    , detailTimer_(new QTimer(this))
    , liveTimer_(new QTimer(this))
{
    familyBox_->addItem(tr("All metrics"), int(Family::All));
    familyBox_->addItem(tr("Reward parts"), int(Family::Reward));
    familyBox_->addItem(tr("Accuracy / pass@1"), int(Family::Accuracy));
    familyBox_->addItem(tr("Length"), int(Family::Length));
    familyBox_->addItem(tr("KL / entropy / clip"), int(Family::KlEntropyClip));
    familyBox_->addItem(tr("Experts"), int(Family::Experts));
    familyBox_->addItem(tr("Other"), int(Family::Other));
    xAxisBox_->addItem(tr("Step"), int(XAxis::Step));
    xAxisBox_->addItem(tr("Relative time"), int(XAxis::RelativeTime));
    xAxisBox_->addItem(tr("Wall time"), int(XAxis::WallTime));
    smoothingSlider_->setRange(0, 99);
    smoothingSlider_->setValue(int(std::lround(smoothing_ * 100)));
    smoothingSlider_->setMinimumWidth(90);
    smoothingLabel_->setText(QString::number(smoothing_, 'f', 2));
    smoothingLabel_->setMinimumWidth(smoothingLabel_->fontMetrics().horizontalAdvance("0.00"));
    runList_->setObjectName(QStringLiteral("runList"));
    metricList_->setObjectName(QStringLiteral("metricList"));
    runList_->setToolTip(tr("Runs to overlay"));
    metricList_->setToolTip(tr("Metrics to plot"));

    auto* csv = new QPushButton(tr("CSV…"), this);
    csv->setToolTip(tr("Export the plotted points as CSV"));
    auto* png = new QPushButton(tr("PNG…"), this);
    png->setToolTip(tr("Export the plot as PNG"));

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(new QLabel(tr("Runs"), side));
    sideLayout->addWidget(runList_, 1);
    sideLayout->addWidget(familyBox_);
    sideLayout->addWidget(metricList_, 2);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Smoothing"), this));
    controls->addWidget(smoothingSlider_, 1);
    controls->addWidget(smoothingLabel_);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("X axis"), this));
    controls->addWidget(xAxisBox_);
    controls->addWidget(logBox_);
    controls->addWidget(outlierBox_);
    controls->addStretch();
    controls->addWidget(csv);
    controls->addWidget(png);

    auto* main = new QWidget(this);
    auto* mainLayout = new QVBoxLayout(main);
    mainLayout->setContentsMargins(0, 0, 0, 0);
    mainLayout->addLayout(controls);
    mainLayout->addWidget(plot_, 1);
    mainLayout->addWidget(readout_);
    readout_->setWordWrap(true);
    readout_->setTextFormat(Qt::RichText);
    readout_->setText(tr("Move over the plot to read values; click a point to open its samples."));

    auto* splitter = new QSplitter(this);
    splitter->addWidget(side);
    splitter->addWidget(main);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({190, 700});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);

    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setNoAntialiasingOnDrag(true); // smooth panning over long series
    plot_->setMinimumSize(320, 200);
    // The legend gets a row of its own above the plot: inside it would hide curves.
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setMargins(QMargins(4, 0, 4, 0));
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    plot_->legend->setFont(legendFont);
    // Stage lines under the curves, their labels above them so curves never hide the names.
    plot_->addLayer("stages", plot_->layer("grid"), QCustomPlot::limAbove);
    plot_->addLayer("stageLabels", plot_->layer("main"), QCustomPlot::limAbove);
    crosshair_ = new QCPItemStraightLine(plot_);
    crosshair_->setLayer("overlay");
    crosshair_->setPen(QPen(QColor(0, 0, 0, 90), 1, Qt::DashLine));
    crosshair_->setVisible(false);
    applyXAxisStyle();
    connect(plot_, &QCustomPlot::beforeReplot, this, [this] { wrapLegend(false); });

    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(kReplotMs);
    connect(replotTimer_, &QTimer::timeout, this,
            [this] { plot_->replot(QCustomPlot::rpQueuedReplot); });
    // Wheel zooms arrive in bursts; re-read the range once they settle.
    detailTimer_->setSingleShot(true);
    detailTimer_->setInterval(150);
    connect(detailTimer_, &QTimer::timeout, this, [this] {
        loadDetail();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(liveTimer_, &QTimer::timeout, this, &CurvesPanel::refresh);

    connect(runList_, &QListWidget::itemChanged, this, [this] {
        QList<qint64> runs;
        for (int i = 0; i < runList_->count(); ++i)
            if (runList_->item(i)->checkState() == Qt::Checked)
                runs << runList_->item(i)->data(Qt::UserRole).toLongLong();
        setRuns(runs);
    });
    connect(metricList_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        QStringList keys = metrics_;
        keys.removeAll(item->text());
        if (item->checkState() == Qt::Checked)
            keys << item->text();
        setMetrics(keys);
    });
    connect(familyBox_, &QComboBox::currentIndexChanged, this,
            [this] { setFamily(Family(familyBox_->currentData().toInt())); });
    connect(smoothingSlider_, &QSlider::valueChanged, this,
            [this](int value) { setSmoothing(value / 100.0); });
    connect(xAxisBox_, &QComboBox::currentIndexChanged, this,
            [this] { setXAxis(XAxis(xAxisBox_->currentData().toInt())); });
    connect(logBox_, &QCheckBox::toggled, this, &CurvesPanel::setLogScale);
    connect(outlierBox_, &QCheckBox::toggled, this, &CurvesPanel::setIgnoreOutliers);
    connect(csv, &QPushButton::clicked, this, &CurvesPanel::chooseCsv);
    connect(png, &QPushButton::clicked, this, &CurvesPanel::choosePng);

    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
        if (settingRange_)
            return;
        userZoomed_ = true;
        detailTimer_->start();
    });
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        setCursorX(plot_->xAxis->pixelToCoord(event->position().x()));
    });
    connect(plot_, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { pressPos_ = event->position().toPoint(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, &CurvesPanel::onMouseRelease);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, &CurvesPanel::resetView);
}

CurvesPanel::~CurvesPanel() = default;

CurvesPanel::Family CurvesPanel::metricFamily(const QString& key)
{
    if (key.startsWith(QLatin1String("reward")))
        return Family::Reward;
    if (key.startsWith(QLatin1String("accuracy")) || key.startsWith(QLatin1String("heldout/")) ||
        key.startsWith(QLatin1String("eval/")))
        return Family::Accuracy;
    if (key.startsWith(QLatin1String("length/")))
        return Family::Length;
    if (key.startsWith(QLatin1String("kl")) || key.startsWith(QLatin1String("entropy")) ||
        key.startsWith(QLatin1String("clip/")))
        return Family::KlEntropyClip;
    if (key.startsWith(QLatin1String("moe/")))
        return Family::Experts;
    return Family::Other;
}

QVector<double> CurvesPanel::debiasedEma(const QVector<double>& values, double weight)
{
    QVector<double> out;
    out.reserve(values.size());
    double last = 0;
    int count = 0;
    for (double v : values) {
        if (!std::isfinite(v)) {
            out << v;
            continue;
        }
        last = last * weight + (1 - weight) * v;
        ++count;
        out << last / (1 - std::pow(weight, count));
    }
    return out;
}

void CurvesPanel::setStore(core::RunStore* store)
{
    store_ = store;
    for (auto& s : series_) {
        plot_->removeGraph(s->rawGraph);
        plot_->removeGraph(s->smoothGraph);
    }
    series_.clear();
    runs_.clear();
    runKeys_.clear();
    runStageCount_.clear();
    runStageSteps_.clear();
    populateRuns();
    updateMetricList();
    rebuildStageLines();
    plot_->replot();
}

void CurvesPanel::populateRuns()
{
    runNames_.clear();
    runStart_.clear();
    const QSignalBlocker block(runList_);
    runList_->clear();
    if (!store_)
        return;
    std::vector<core::RunInfo> runs;
    try {
        runs = store_->listRuns();
    } catch (const core::Error& e) {
        readout_->setText(tr("Cannot read runs: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    for (const auto& run : runs) {
        const QString name = QString::fromStdString(run.name);
        runNames_[run.id] = name;
        runStart_[run.id] = run.createdAt;
        auto* item = new QListWidgetItem(QStringLiteral("#%1 %2").arg(run.id).arg(name), runList_);
        item->setData(Qt::UserRole, qint64(run.id));
        item->setCheckState(runs_.contains(run.id) ? Qt::Checked : Qt::Unchecked);
    }
}

void CurvesPanel::setRuns(const QList<qint64>& runs)
{
    runs_ = runs;
    {
        const QSignalBlocker block(runList_);
        for (int i = 0; i < runList_->count(); ++i) {
            auto* item = runList_->item(i);
            item->setCheckState(runs_.contains(item->data(Qt::UserRole).toLongLong())
                                    ? Qt::Checked
                                    : Qt::Unchecked);
        }
    }
    if (store_)
        for (qint64 run : runs_)
            if (!runKeys_.contains(run)) {
                QStringList keys;
                for (const auto& key : store_->metricKeys(run))
                    keys << QString::fromStdString(key);
                runKeys_[run] = keys;
            }
    // A first run with nothing chosen yet shows the headline curve rather than an empty plot.
    const QStringList available = availableMetrics();
    if (std::none_of(metrics_.begin(), metrics_.end(),
                     [&](const QString& k) { return available.contains(k); })) {
        for (const char* preferred : {"reward/mean", "loss"})
            if (available.contains(QLatin1String(preferred))) {
                metrics_ = {QLatin1String(preferred)};
                break;
            }
        if (metrics_.isEmpty() && !available.isEmpty())
            metrics_ = {available.first()};
    }
    updateMetricList();
    syncSeries();
}

void CurvesPanel::setMetrics(const QStringList& keys)
{
    metrics_ = keys;
    updateMetricList();
    syncSeries();
}

QStringList CurvesPanel::availableMetrics() const
{
    QStringList keys;
    for (qint64 run : runs_)
        for (const auto& key : runKeys_.value(run))
            if (!keys.contains(key))
                keys << key;
    keys.sort();
    return keys;
}

void CurvesPanel::setFamily(Family family)
{
    family_ = family;
    const QSignalBlocker block(familyBox_);
    familyBox_->setCurrentIndex(familyBox_->findData(int(family)));
    updateMetricList();
}

void CurvesPanel::updateMetricList()
{
    const QSignalBlocker block(metricList_);
    metricList_->clear();
    for (const QString& key : availableMetrics()) {
        if (family_ != Family::All && metricFamily(key) != family_)
            continue;
        auto* item = new QListWidgetItem(key, metricList_);
        item->setCheckState(metrics_.contains(key) ? Qt::Checked : Qt::Unchecked);
    }
}

CurvesPanel::Series* CurvesPanel::find(qint64 run, const QString& key) const
{
    for (const auto& s : series_)
        if (s->run == run && s->key == key)
            return s.get();
    return nullptr;
}

void CurvesPanel::syncSeries()
{
    // Drop series no longer chosen, keep the loaded ones, load the new ones.
    std::erase_if(series_, [&](const std::unique_ptr<Series>& s) {
        if (runs_.contains(s->run) && metrics_.contains(s->key))
            return false;
        plot_->removeGraph(s->rawGraph);
        plot_->removeGraph(s->smoothGraph);
        return true;
    });
    if (store_) {
        for (qint64 run : runs_)
            for (const QString& key : metrics_) {
                if (find(run, key) || !runKeys_.value(run).contains(key))
                    continue;
                auto s = std::make_unique<Series>();
                s->run = run;
                s->key = key;
                s->rawGraph = plot_->addGraph();
                s->smoothGraph = plot_->addGraph();
                s->rawGraph->removeFromLegend();
                // The faint raw curve is dense and half hidden: antialiasing it doubles replots.
                s->rawGraph->setAntialiased(false);
                loadSeries(*s);
                series_.push_back(std::move(s));
            }
    }
    // Series order follows the selection order, so colours and the legend stay stable.
    std::stable_sort(series_.begin(), series_.end(), [&](const auto& a, const auto& b) {
        return std::pair(runs_.indexOf(a->run), metrics_.indexOf(a->key)) <
               std::pair(runs_.indexOf(b->run), metrics_.indexOf(b->key));
    });
    styleSeries();
    plot_->yAxis->setLabel(metrics_.size() == 1 ? metrics_.first() : tr("Value"));
    rebuildStageLines();
    resetView();
}

size_t CurvesPanel::maxPoints() const
{
    // Four points (first, min, max, last) per bucket and about one bucket per pixel.
    return size_t(4 * std::max(800, plot_->axisRect()->width()));
}

void CurvesPanel::loadSeries(Series& s)
{
    runStageSteps_.remove(s.run); // the run may have moved on since its stages were read
    s.coarse = store_->series(s.run, s.key.toStdString(), maxPoints());
    s.complete = s.coarse.empty() ||
                 uint64_t(s.coarse.back().step - s.coarse.front().step + 1) <= maxPoints();
    s.lastStep = s.coarse.empty() ? -1 : s.coarse.back().step;
    s.detail.clear();
    s.detailTo = -1;
    rebuildShown(s);
}

void CurvesPanel::rebuildShown(Series& s)
{
    s.shown.clear();
    if (s.detailTo < s.detailFrom) {
        s.shown = s.coarse;
    } else {
        for (const auto& p : s.coarse)
            if (p.step < s.detailFrom)
                s.shown.push_back(p);
        s.shown.insert(s.shown.end(), s.detail.begin(), s.detail.end());
        for (const auto& p : s.coarse)
            if (p.step > s.detailTo)
                s.shown.push_back(p);
    }
    updateGraphs(s);
}

double CurvesPanel::xOf(const Series& s, double step, double wallTime) const
{
    switch (xAxis_) {
    case XAxis::Step:
        return step;
    case XAxis::RelativeTime:
        return wallTime - runStart_.value(s.run);
    case XAxis::WallTime:
        return wallTime;
    }
    return step;
}

void CurvesPanel::rememberStageSteps(qint64 run, const std::vector<core::StageInfo>& stages)
{
    QVector<QPair<qint64, qint64>> steps;
    for (const auto& stage : stages) {
        if (stage.firstStep < 0)
            continue;
        const bool inside = std::any_of(stages.begin(), stages.end(), [&](const auto& other) {
            return &other != &stage && other.firstStep >= 0 && other.firstStep <= stage.firstStep &&
                   other.lastStep >= stage.lastStep &&
                   (other.firstStep < stage.firstStep || other.lastStep > stage.lastStep);
        });
        if (!inside)
            steps.append({stage.firstStep, stage.lastStep});
    }
    runStageSteps_[run] = steps;
}

bool CurvesPanel::gapBetween(const Series& s, qint64 afterStep, qint64 beforeStep)
{
    if (!store_)
        return false;
    try {
        if (!runStageSteps_.contains(s.run))
            rememberStageSteps(s.run, store_->stages(s.run));
        for (const auto& [first, last] : runStageSteps_.value(s.run))
            if (first > afterStep && last < beforeStep &&
                store_->series(s.run, s.key.toStdString(), 1, first, last).empty())
                return true;
    } catch (const core::Error&) {
        // Unreadable stages: draw the line unbroken.
    }
    return false;
}

void CurvesPanel::fillGraphs(Series& s, size_t from)
{
    // A NaN point where a stage without this metric lies between two points: QCustomPlot breaks
    // the line there. s.x and co. stay one entry per shown point, for clicks and exports.
    QVector<double> x, raw, smoothed;
    for (size_t i = from; i < s.shown.size(); ++i) {
        const auto at = qsizetype(i);
        if (i > 0 && gapBetween(s, s.shown[i - 1].step, s.shown[i].step)) {
            x << (s.x[at - 1] + s.x[at]) / 2;
            raw << qQNaN();
            smoothed << qQNaN();
        }
        x << s.x[at];
        raw << s.raw[at];
        smoothed << s.smoothed[at];
    }
    // Wall times of a resumed run can step back; only step order is guaranteed sorted.
    const bool sorted = xAxis_ == XAxis::Step;
    if (from == 0) {
        s.rawGraph->setData(x, raw, sorted);
        s.smoothGraph->setData(x, smoothed, sorted);
    } else {
        s.rawGraph->addData(x, raw, sorted);
        s.smoothGraph->addData(x, smoothed, sorted);
    }
}

void CurvesPanel::updateGraphs(Series& s)
{
    s.x.clear();
    s.raw.clear();
    for (const auto& p : s.shown) {
        s.x << xOf(s, double(p.step), p.wallTime);
        s.raw << p.value;
    }
    s.smoothed = debiasedEma(s.raw, smoothing_);
    s.emaCount = 0;
    s.emaLast = 0;
    for (double v : s.raw)
        if (std::isfinite(v)) {
            s.emaLast = s.emaLast * smoothing_ + (1 - smoothing_) * v;
            ++s.emaCount;
        }
    fillGraphs(s, 0);
    QPen pen = s.smoothGraph->pen();
    pen.setWidthF(smoothPenWidth(s));
    s.smoothGraph->setPen(pen);
}

double CurvesPanel::smoothPenWidth(const Series& s)
{
    // Qt's raster stroker makes wide pens cost ~30 ms per replot over thousands of points (1 px
    // lines take ~1 ms): only short series get the bold line.
    return s.shown.size() > 1500 ? 1.0 : 1.8;
}

void CurvesPanel::styleSeries()
{
    for (const auto& s : series_) {
        const QColor color = kPalette[std::max<qsizetype>(0, runs_.indexOf(s->run)) % 10];
        const Qt::PenStyle style = kStyles[std::max<qsizetype>(0, metrics_.indexOf(s->key)) % 4];
        QColor faint = color;
        faint.setAlpha(kRawAlpha);
        s->rawGraph->setPen(QPen(faint, 1));
        s->smoothGraph->setPen(QPen(color, smoothPenWidth(*s), style));
        const QString run = QStringLiteral("#%1 %2").arg(s->run).arg(runNames_.value(s->run));
        s->smoothGraph->setName(runs_.size() == 1      ? s->key
                                : metrics_.size() == 1 ? run
                                                       : run + QStringLiteral(" · ") + s->key);
    }
    // Refilled in series order, so the rows have no holes left by removed graphs.
    plot_->legend->clearItems();
    for (const auto& s : series_)
        s->smoothGraph->addToLegend();
    plot_->legend->setVisible(!series_.empty());
    wrapLegend(true);
}

void CurvesPanel::wrapLegend(bool refill)
{
    // As many legend columns as fit the plot's width, refilled in order.
    const int columns = std::max(1, plot_->width() / 260);
    if (refill || plot_->legend->wrap() != columns) {
        plot_->legend->setWrap(columns);
        plot_->legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    }
}

void CurvesPanel::rebuildStageLines()
{
    for (const auto& line : stageLines_) {
        plot_->removeItem(line.label);
        plot_->removeItem(line.line);
    }
    stageLines_.clear();
    if (!store_)
        return;
    // Overlaid runs of one recipe share their boundaries: one line per (x, stage name).
    QSet<QString> seen;
    for (qint64 run : runs_) {
        std::vector<core::StageInfo> stages;
        try {
            stages = store_->stages(run);
        } catch (const core::Error&) {
            continue;
        }
        rememberStageSteps(run, stages);
        runStageCount_[run] = int(std::count_if(stages.begin(), stages.end(),
                                                [](const auto& st) { return st.firstStep >= 0; }));
        for (const auto& stage : stages) {
            if (stage.firstStep < 0)
                continue;
            double x = double(stage.firstStep);
            if (xAxis_ == XAxis::RelativeTime)
                x = stage.startedAt - runStart_.value(run);
            else if (xAxis_ == XAxis::WallTime)
                x = stage.startedAt;
            const QString name = QString::fromStdString(stage.name);
            if (seen.contains(QString::number(x, 'g', 15) + name))
                continue;
            seen.insert(QString::number(x, 'g', 15) + name);
            auto* line = new QCPItemStraightLine(plot_);
            line->setLayer("stages");
            line->setPen(QPen(QColor(90, 90, 90, 150), 1, Qt::DashLine));
            line->point1->setCoords(x, 0);
            line->point2->setCoords(x, 1);
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
            stageLines_.push_back({line, label});
        }
    }
}

QStringList CurvesPanel::stageLabels() const
{
    QStringList labels;
    for (const auto& line : stageLines_)
        labels << line.label->text();
    return labels;
}

void CurvesPanel::resetView()
{
    userZoomed_ = false;
    for (auto& s : series_)
        if (s->detailTo >= s->detailFrom) {
            s->detail.clear();
            s->detailTo = -1;
            rebuildShown(*s);
        }
    settingRange_ = true;
    plot_->rescaleAxes();
    settingRange_ = false;
    rescaleY();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesPanel::rescaleY()
{
    if (series_.empty())
        return;
    if (!outlierBox_->isChecked()) {
        for (size_t i = 0; i < series_.size(); ++i)
            series_[i]->rawGraph->rescaleValueAxis(i > 0, true);
        for (const auto& s : series_)
            s->smoothGraph->rescaleValueAxis(true, true);
    } else {
        // The 1st..99th percentile of the visible raw points, so one spike cannot flatten the rest.
        const QCPRange range = plot_->xAxis->range();
        const bool log = logScale();
        std::vector<double> values;
        for (const auto& s : series_)
            for (int i = 0; i < s->x.size(); ++i)
                if (range.contains(s->x[i]) && std::isfinite(s->raw[i]) && (!log || s->raw[i] > 0))
                    values.push_back(s->raw[i]);
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
            const double margin =
                high > low ? 0.05 * (high - low) : std::max(1e-9, std::abs(low) * 0.05);
            y = QCPRange(low - margin, high + margin);
        }
        plot_->yAxis->setRange(y);
        return;
    }
    QCPRange y = plot_->yAxis->range();
    if (!logScale()) {
        const double margin =
            y.size() > 0 ? 0.04 * y.size() : std::max(1e-9, std::abs(y.lower) * 0.05);
        y = QCPRange(y.lower - margin, y.upper + margin);
    }
    plot_->yAxis->setRange(y);
}

void CurvesPanel::setXRange(double lower, double upper)
{
    plot_->xAxis->setRange(lower, upper); // marks the view zoomed, like a wheel zoom
    detailTimer_->stop();
    loadDetail();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesPanel::loadDetail()
{
    if (!store_)
        return;
    const QCPRange range = plot_->xAxis->range();
    for (auto& sp : series_) {
        Series& s = *sp;
        if (s.complete || s.coarse.empty())
            continue;
        // Map the visible x-range to steps through the coarse points (time grows with step).
        int64_t from = s.coarse.front().step, to = s.coarse.back().step;
        if (xAxis_ == XAxis::Step) {
            from = std::max<int64_t>(from, int64_t(std::floor(range.lower)));
            to = std::min<int64_t>(to, int64_t(std::ceil(range.upper)));
        } else {
            for (size_t i = 0; i < s.coarse.size(); ++i) {
                const double x = xOf(s, double(s.coarse[i].step), s.coarse[i].wallTime);
                if (x <= range.lower)
                    from = s.coarse[i].step;
                if (x >= range.upper) {
                    to = s.coarse[i].step;
                    break;
                }
            }
        }
        if (from > to || (from == s.coarse.front().step && to == s.coarse.back().step)) {
            if (s.detailTo >= s.detailFrom) {
                s.detail.clear();
                s.detailTo = -1;
                rebuildShown(s);
            }
            continue;
        }
        if (from == s.detailFrom && to == s.detailTo)
            continue;
        s.detail = store_->series(s.run, s.key.toStdString(), maxPoints(), from, to);
        s.detailFrom = from;
        s.detailTo = to;
        rebuildShown(s);
    }
}

void CurvesPanel::refresh()
{
    if (!store_)
        return;
    try {
        const auto runs = store_->listRuns();
        if (int(runs.size()) != runList_->count())
            populateRuns();
        bool keysChanged = false;
        bool stagesChanged = false;
        for (qint64 run : runs_) {
            QStringList keys;
            for (const auto& key : store_->metricKeys(run))
                keys << QString::fromStdString(key);
            if (keys != runKeys_.value(run)) {
                runKeys_[run] = keys;
                keysChanged = true;
            }
            const auto stages = store_->stages(run);
            rememberStageSteps(run, stages); // before appending: a new stage may open a gap
            int withSteps = 0;
            for (const auto& stage : stages)
                withSteps += stage.firstStep >= 0;
            if (withSteps != runStageCount_.value(run, -1))
                stagesChanged = true;
        }
        if (keysChanged) {
            updateMetricList();
            syncSeries(); // loads series that just appeared
        }

        bool appended = false;
        for (auto& sp : series_) {
            Series& s = *sp;
            auto fresh = store_->series(s.run, s.key.toStdString(), maxPoints(), s.lastStep + 1);
            if (fresh.empty())
                continue;
            appended = true;
            s.lastStep = fresh.back().step;
            s.coarse.insert(s.coarse.end(), fresh.begin(), fresh.end());
            // A long-followed run outgrows the coarse budget: read it downsampled again.
            if (s.coarse.size() > 3 * maxPoints()) {
                loadSeries(s);
                continue;
            }
            const size_t from = s.shown.size();
            for (const auto& p : fresh) {
                s.shown.push_back(p);
                s.x << xOf(s, double(p.step), p.wallTime);
                s.raw << p.value;
                if (std::isfinite(p.value)) {
                    s.emaLast = s.emaLast * smoothing_ + (1 - smoothing_) * p.value;
                    ++s.emaCount;
                    s.smoothed << s.emaLast / (1 - std::pow(smoothing_, s.emaCount));
                } else {
                    s.smoothed << p.value;
                }
            }
            fillGraphs(s, from);
        }
        if (stagesChanged) {
            rebuildStageLines();
            appended = true;
        }
        if (!appended)
            return;
    } catch (const core::Error& e) {
        readout_->setText(
            tr("Cannot read the run database: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    if (!userZoomed_) {
        settingRange_ = true;
        plot_->rescaleAxes();
        settingRange_ = false;
        rescaleY();
    }
    queueReplot();
}

void CurvesPanel::setLiveInterval(int ms)
{
    if (ms <= 0) {
        liveTimer_->stop();
        return;
    }
    liveTimer_->start(ms);
}

int CurvesPanel::liveInterval() const
{
    return liveTimer_->isActive() ? liveTimer_->interval() : 0;
}

void CurvesPanel::setSmoothing(double weight)
{
    smoothing_ = std::clamp(weight, 0.0, 0.99);
    {
        const QSignalBlocker block(smoothingSlider_);
        smoothingSlider_->setValue(int(std::lround(smoothing_ * 100)));
    }
    smoothingLabel_->setText(QString::number(smoothing_, 'f', 2));
    for (auto& s : series_)
        updateGraphs(*s);
    if (cursorSet_)
        setCursorX(cursorX_);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesPanel::applyXAxisStyle()
{
    switch (xAxis_) {
    case XAxis::Step:
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot_->xAxis->setLabel(tr("Step"));
        break;
    case XAxis::RelativeTime:
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot_->xAxis->setLabel(tr("Seconds since run start"));
        break;
    case XAxis::WallTime: {
        auto ticker = QSharedPointer<QCPAxisTickerDateTime>(new QCPAxisTickerDateTime);
        ticker->setDateTimeFormat(QStringLiteral("hh:mm:ss"));
        plot_->xAxis->setTicker(ticker);
        plot_->xAxis->setLabel(tr("Wall time"));
        break;
    }
    }
}

void CurvesPanel::setXAxis(XAxis mode)
{
    xAxis_ = mode;
    {
        const QSignalBlocker block(xAxisBox_);
        xAxisBox_->setCurrentIndex(xAxisBox_->findData(int(mode)));
    }
    applyXAxisStyle();
    for (auto& s : series_)
        updateGraphs(*s);
    rebuildStageLines();
    cursorSet_ = false;
    crosshair_->setVisible(false);
    resetView();
}

void CurvesPanel::setLogScale(bool on)
{
    {
        const QSignalBlocker block(logBox_);
        logBox_->setChecked(on);
    }
    plot_->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    plot_->yAxis->setTicker(on ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                               : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    rescaleY();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool CurvesPanel::logScale() const
{
    return plot_->yAxis->scaleType() == QCPAxis::stLogarithmic;
}

void CurvesPanel::setIgnoreOutliers(bool on)
{
    {
        const QSignalBlocker block(outlierBox_);
        outlierBox_->setChecked(on);
    }
    rescaleY();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool CurvesPanel::ignoreOutliers() const
{
    return outlierBox_->isChecked();
}

void CurvesPanel::setCursorX(double x)
{
    cursorX_ = x;
    cursorSet_ = true;
    crosshair_->point1->setCoords(x, 0);
    crosshair_->point2->setCoords(x, 1);
    crosshair_->setVisible(!series_.empty());
    QString xText;
    switch (xAxis_) {
    case XAxis::Step:
        xText = tr("step %1").arg(qint64(std::llround(x)));
        break;
    case XAxis::RelativeTime:
        xText = tr("%1 s").arg(x, 0, 'f', 1);
        break;
    case XAxis::WallTime:
        xText =
            QDateTime::fromMSecsSinceEpoch(qint64(x * 1000)).toString(QStringLiteral("hh:mm:ss"));
        break;
    }
    QStringList parts{QStringLiteral("<b>%1</b>").arg(xText.toHtmlEscaped())};
    for (const auto& s : series_) {
        if (s->x.isEmpty())
            continue;
        // The nearest point at or before x, or the first one.
        const auto it = std::upper_bound(s->x.begin(), s->x.end(), x);
        const int i = it == s->x.begin() ? 0 : int(it - s->x.begin()) - 1;
        // Unbreakable inside an entry (no-break spaces and hyphens), so the readout wraps only
        // between series; Qt's rich text ignores white-space: nowrap on inline spans.
        const QString entry = tr("%1 %2 (raw %3)")
                                  .arg(s->smoothGraph->name())
                                  .arg(s->smoothed[i], 0, 'g', 4)
                                  .arg(s->raw[i], 0, 'g', 4)
                                  .toHtmlEscaped()
                                  .replace(QLatin1Char(' '), QStringLiteral("&nbsp;"))
                                  .replace(QLatin1Char('-'), QChar(0x2011));
        parts << QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2")
                     .arg(s->smoothGraph->pen().color().name(), entry);
    }
    readout_->setText(parts.join(QStringLiteral(" &nbsp; ")));
    plot_->layer("overlay")->replot();
}

QString CurvesPanel::readout() const
{
    return readout_->text();
}

void CurvesPanel::onMouseRelease(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if ((pos - pressPos_).manhattanLength() > 3)
        return; // a drag, not a click
    const Series* best = nullptr;
    double bestDistance = plot_->selectionTolerance();
    double bestKey = 0;
    for (const auto& s : series_)
        for (QCPGraph* graph : {s->smoothGraph, s->rawGraph}) {
            QVariant details;
            const double distance = graph->selectTest(pos, false, &details);
            if (distance < 0 || distance >= bestDistance)
                continue;
            const auto selection = details.value<QCPDataSelection>();
            if (selection.isEmpty())
                continue;
            bestDistance = distance;
            best = s.get();
            bestKey = graph->data()->at(selection.dataRange().begin())->key;
        }
    if (!best)
        return;
    const auto it = std::min_element(best->x.begin(), best->x.end(), [&](double a, double b) {
        return std::abs(a - bestKey) < std::abs(b - bestKey);
    });
    emit stepClicked(best->run, qint64(best->shown[size_t(it - best->x.begin())].step));
}

int CurvesPanel::pointCount(qint64 run, const QString& key) const
{
    const Series* s = find(run, key);
    return s ? int(s->shown.size()) : 0;
}

QVector<double> CurvesPanel::xValues(qint64 run, const QString& key) const
{
    const Series* s = find(run, key);
    return s ? s->x : QVector<double>();
}

QVector<double> CurvesPanel::rawValues(qint64 run, const QString& key) const
{
    const Series* s = find(run, key);
    return s ? s->raw : QVector<double>();
}

QVector<double> CurvesPanel::smoothedValues(qint64 run, const QString& key) const
{
    const Series* s = find(run, key);
    return s ? s->smoothed : QVector<double>();
}

bool CurvesPanel::exportCsv(const QString& path) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return false;
    QTextStream out(&file);
    out << "step,time,run,metric,raw,smoothed\n";
    for (const auto& s : series_)
        for (size_t i = 0; i < s->shown.size(); ++i)
            out << s->shown[i].step << ',' << QString::number(s->shown[i].wallTime, 'f', 3) << ','
                << s->run << ',' << s->key << ',' << QString::number(s->raw[int(i)], 'g', 10) << ','
                << QString::number(s->smoothed[int(i)], 'g', 10) << '\n';
    out.flush();
    return file.error() == QFileDevice::NoError;
}

bool CurvesPanel::exportPng(const QString& path, int width, int height)
{
    return plot_->savePng(path, width, height);
}

void CurvesPanel::chooseCsv()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export curves as CSV"), QStringLiteral("curves.csv"), tr("CSV files (*.csv)"));
    if (!path.isEmpty() && !exportCsv(path))
        readout_->setText(tr("Cannot write %1").arg(path));
}

void CurvesPanel::choosePng()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export plot as PNG"), QStringLiteral("curves.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportPng(path))
        readout_->setText(tr("Cannot write %1").arg(path));
}

void CurvesPanel::queueReplot()
{
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

} // namespace thinkbench::widgets
