#include "widgets/curves_panel.h"

#include "core/store/run_store.h"
#include "widgets/curves/curve_painter.h"
#include "widgets/curves/curves_chooser.h"
#include "widgets/curves/curves_csv.h"
#include "widgets/curves/series_loader.h"
#include "widgets/dashboard/dashboard_view.h"

#include <qcustomplot.h>

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace thinkbench::widgets {

namespace {

constexpr int kReplotMs = 250;

} // namespace

CurvesPanel::CurvesPanel(QWidget* parent)
    : QWidget(parent)
    , chooser_(new CurvesChooser(this))
    , dashboardButton_(new QToolButton(this))
    , singleButton_(new QToolButton(this))
    , stack_(new QStackedWidget(this))
    , dashboard_(new DashboardView(this))
    , smoothingSlider_(new QSlider(Qt::Horizontal, this))
    , smoothingLabel_(new QLabel(this))
    , xAxisBox_(new QComboBox(this))
    , logBox_(new QCheckBox(tr("Log y"), this))
    , outlierBox_(new QCheckBox(tr("Ignore outliers"), this))
    , plot_(new QCustomPlot(this))
    , loader_(new SeriesLoader(this))
    , readout_(new QLabel(this))
    , replotTimer_(new QTimer(this))
    , detailTimer_(new QTimer(this))
    , liveTimer_(new QTimer(this))
{
    xAxisBox_->addItem(tr("Step"), int(XAxis::Step));
    xAxisBox_->addItem(tr("Relative time"), int(XAxis::RelativeTime));
    xAxisBox_->addItem(tr("Wall time"), int(XAxis::WallTime));
    smoothingSlider_->setRange(0, 99);
    smoothingSlider_->setValue(int(std::lround(smoothing_ * 100)));
    smoothingSlider_->setMinimumWidth(90);
    smoothingLabel_->setText(QString::number(smoothing_, 'f', 2));
    smoothingLabel_->setMinimumWidth(smoothingLabel_->fontMetrics().horizontalAdvance("0.00"));

    auto* csv = new QPushButton(tr("CSV…"), this);
    csv->setToolTip(tr("Export the plotted points as CSV"));
    auto* png = new QPushButton(tr("PNG…"), this);
    png->setToolTip(tr("Export the plot as PNG"));

    // Dashboard | Single chart, and the smoothing both share.
    auto* views = new QButtonGroup(this);
    for (auto [button, text] : {std::pair(dashboardButton_, tr("Dashboard")), {singleButton_, tr("Single chart")}}) {
        button->setText(text);
        button->setCheckable(true);
        views->addButton(button);
    }
    dashboardButton_->setChecked(true);
    auto* shared = new QHBoxLayout;
    shared->setSpacing(0);
    shared->addWidget(dashboardButton_);
    shared->addWidget(singleButton_);
    shared->addSpacing(12);
    shared->addWidget(new QLabel(tr("Smoothing"), this));
    shared->addWidget(smoothingSlider_, 1);
    shared->addWidget(smoothingLabel_);

    auto* controls = new QHBoxLayout;
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

    stack_->addWidget(dashboard_);
    stack_->addWidget(main);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(shared);
    rightLayout->addWidget(stack_, 1);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(chooser_);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({190, 700});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);
    chooser_->setMetricsShown(false);
    dashboard_->setActive(true);

    plot_->setMinimumSize(320, 200);
    painter_ = std::make_unique<CurvePainter>(plot_);
    painter_->styleXAxis(xAxis_);
    connect(plot_, &QCustomPlot::beforeReplot, this, [this] { painter_->wrapLegend(false); });
    connect(loader_, &SeriesLoader::answered, this, &CurvesPanel::apply);

    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(kReplotMs);
    connect(replotTimer_, &QTimer::timeout, this, [this] { plot_->replot(QCustomPlot::rpQueuedReplot); });
    // Wheel zooms arrive in bursts; re-read the range once they settle.
    detailTimer_->setSingleShot(true);
    detailTimer_->setInterval(150);
    connect(detailTimer_, &QTimer::timeout, this, [this] { request(false, false); });
    // A poll still being read when the next is due is not queued behind it.
    connect(liveTimer_, &QTimer::timeout, this, [this] {
        if (!loader_->busy() && !dashboard_->busy())
            refresh();
    });
    connect(dashboardButton_, &QToolButton::clicked, this, [this] { setView(View::Dashboard); });
    connect(singleButton_, &QToolButton::clicked, this, [this] { setView(View::SingleChart); });
    connect(dashboard_, &DashboardView::stepClicked, this, &CurvesPanel::stepClicked);
    connect(dashboard_, &DashboardView::openRequested, this, [this](const QString& key) {
        setMetrics({key});
        setView(View::SingleChart);
    });

    connect(chooser_, &CurvesChooser::runsChosen, this, &CurvesPanel::setRuns);
    connect(chooser_, &CurvesChooser::metricToggled, this, [this](const QString& key, bool on) {
        QStringList keys = metrics_;
        keys.removeAll(key);
        if (on)
            keys << key;
        setMetrics(keys);
    });
    connect(smoothingSlider_, &QSlider::valueChanged, this, [this](int value) { setSmoothing(value / 100.0); });
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
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* event) { setCursorX(plot_->xAxis->pixelToCoord(event->position().x())); });
    connect(plot_, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { pressPos_ = event->position().toPoint(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, &CurvesPanel::onMouseRelease);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, &CurvesPanel::resetView);
}

CurvesPanel::~CurvesPanel() = default;

void CurvesPanel::setView(View view)
{
    view_ = view;
    (view == View::Dashboard ? dashboardButton_ : singleButton_)->setChecked(true);
    stack_->setCurrentIndex(view == View::Dashboard ? 0 : 1);
    chooser_->setMetricsShown(view == View::SingleChart);
    dashboard_->setActive(view == View::Dashboard);
}

void CurvesPanel::setStore(core::RunStore* store)
{
    store_ = store;
    dashboard_->setDatabase(store ? store->path() : std::string());
    runs_.clear();
    runKeys_.clear();
    runNames_.clear();
    runStart_.clear();
    chooser_->setStoreRuns({}, {}, {});
    painter_->clear();
    userZoomed_ = false;
    clearCursor();
    layOut();
    updateMetricList();
    request(true, false);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesPanel::setRuns(const QList<qint64>& runs)
{
    runs_ = runs;
    dashboard_->setRuns(runs);
    ++selection_;
    pickHeadline_ = true;
    chooser_->checkRuns(runs_);
    userZoomed_ = false;
    request(true, false);
}

void CurvesPanel::setMetrics(const QStringList& keys)
{
    metrics_ = keys;
    ++selection_;
    pickHeadline_ = false;
    userZoomed_ = false;
    updateMetricList();
    request(true, false);
}

QStringList CurvesPanel::availableMetrics()
{
    waitForData();
    return keysOfRuns();
}

QStringList CurvesPanel::keysOfRuns() const
{
    QStringList keys;
    for (qint64 run : runs_)
        for (const auto& key : runKeys_.value(run))
            if (!keys.contains(key))
                keys << key;
    keys.sort();
    return keys;
}

void CurvesPanel::setFamily(std::optional<MetricFamily> family)
{
    chooser_->setFamily(family);
}

std::optional<MetricFamily> CurvesPanel::family() const
{
    return chooser_->family();
}

void CurvesPanel::updateMetricList()
{
    chooser_->setMetrics(keysOfRuns(), metrics_);
}

size_t CurvesPanel::maxPoints() const
{
    // Four points (first, min, max, last) per bucket and about one bucket per pixel.
    return size_t(4 * std::max(800, plot_->axisRect()->width()));
}

void CurvesPanel::request(bool readRuns, bool appendNew)
{
    CurvesRequest r;
    r.database = store_ ? store_->path() : std::string();
    r.runs = runs_;
    r.metrics = metrics_;
    r.selection = selection_;
    r.pickHeadline = pickHeadline_;
    r.readRuns = readRuns;
    r.appendNew = appendNew;
    r.smoothing = smoothing_;
    r.maxPoints = maxPoints();
    r.axis = xAxis_;
    if (userZoomed_)
        r.zoom = std::pair(plot_->xAxis->range().lower, plot_->xAxis->range().upper);
    loader_->request(r);
}

void CurvesPanel::waitForData()
{
    loader_->wait();
    dashboard_->waitForData();
}

// Takes a snapshot from the loader: the run list, metric list, curves and stage lines follow it.
void CurvesPanel::apply(const CurvesSnapshot& snapshot)
{
    if (!snapshot.error.isEmpty()) {
        readout_->setText(tr("Cannot read the run database: %1").arg(snapshot.error));
        return;
    }
    QList<qint64> ids;
    runNames_.clear();
    runStart_.clear();
    for (const auto& run : snapshot.runs) {
        ids << run.id;
        runNames_[run.id] = run.name;
        runStart_[run.id] = run.start;
    }
    chooser_->setStoreRuns(ids, runNames_, runs_);
    // A headline picked for the current choice becomes the choice.
    const bool picked = snapshot.selection == selection_ && snapshot.metrics != metrics_;
    if (picked)
        metrics_ = snapshot.metrics;
    if (picked || snapshot.keys != runKeys_) {
        runKeys_ = snapshot.keys;
        updateMetricList();
    }
    const bool restyled = layOut();
    const bool drawn = painter_->setSeries(snapshot.series);
    const bool staged = painter_->setStages(snapshot.stages);
    if (!restyled && !drawn && !staged)
        return; // nothing new to draw (most polls)
    if (!userZoomed_)
        rescale();
    if (cursorSet_)
        setCursorX(cursorX_);
    if (snapshot.appendNew)
        queueReplot();
    else
        plot_->replot(); // now: a window grabbed before the next event shows the data
}

// Colours, line styles, names and x positions follow the choice of runs and metrics.
bool CurvesPanel::layOut()
{
    plot_->yAxis->setLabel(metrics_.size() == 1 ? metrics_.first() : tr("Value"));
    return painter_->setLayout({xAxis_, runs_, metrics_, runNames_, runStart_});
}

void CurvesPanel::resetView()
{
    userZoomed_ = false;
    if (store_)
        request(false, false); // back to the coarse points, also after a zoom still being read
    rescale();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesPanel::rescale()
{
    settingRange_ = true;
    plot_->rescaleAxes();
    settingRange_ = false;
    painter_->rescaleY(outlierBox_->isChecked());
}

void CurvesPanel::setXRange(double lower, double upper)
{
    plot_->xAxis->setRange(lower, upper); // marks the view zoomed, like a wheel zoom
    detailTimer_->stop();
    request(false, false);
}

void CurvesPanel::refresh()
{
    if (!store_)
        return;
    request(true, true);
    dashboard_->refresh();
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
    request(false, false);
    dashboard_->setSmoothing(smoothing_);
}

void CurvesPanel::setXAxis(XAxis mode)
{
    xAxis_ = mode;
    {
        const QSignalBlocker block(xAxisBox_);
        xAxisBox_->setCurrentIndex(xAxisBox_->findData(int(mode)));
    }
    painter_->styleXAxis(xAxis_);
    layOut();
    clearCursor();
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
    painter_->rescaleY(outlierBox_->isChecked());
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
    painter_->rescaleY(on);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool CurvesPanel::ignoreOutliers() const
{
    return outlierBox_->isChecked();
}

void CurvesPanel::clearCursor()
{
    cursorSet_ = false;
    painter_->hideCrosshair();
}

void CurvesPanel::setCursorX(double x)
{
    cursorX_ = x;
    cursorSet_ = true;
    painter_->showCrosshair(x);
    QString xText;
    switch (xAxis_) {
    case XAxis::Step:
        xText = tr("step %1").arg(qint64(std::llround(x)));
        break;
    case XAxis::RelativeTime:
        xText = tr("%1 s").arg(x, 0, 'f', 1);
        break;
    case XAxis::WallTime:
        xText = QDateTime::fromMSecsSinceEpoch(qint64(x * 1000)).toString(QStringLiteral("hh:mm:ss"));
        break;
    }
    QStringList parts{QStringLiteral("<b>%1</b>").arg(xText.toHtmlEscaped())};
    for (const auto& curve : painter_->curves()) {
        if (curve.x.isEmpty())
            continue;
        const size_t i = CurvePainter::indexAt(curve, x);
        // Unbreakable inside an entry (no-break spaces and hyphens), so the readout wraps only
        // between series; Qt's rich text ignores white-space: nowrap on inline spans.
        const QString entry = tr("%1 %2 (raw %3)")
                                  .arg(curve.smooth->name())
                                  .arg(curve.data.smoothed[i], 0, 'g', 4)
                                  .arg(curve.data.points[i].value, 0, 'g', 4)
                                  .toHtmlEscaped()
                                  .replace(QLatin1Char(' '), QStringLiteral("&nbsp;"))
                                  .replace(QLatin1Char('-'), QChar(0x2011));
        parts
            << QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2").arg(curve.smooth->pen().color().name(), entry);
    }
    readout_->setText(parts.join(QStringLiteral(" &nbsp; ")));
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
    const auto [curve, i] = painter_->pointAt(pos);
    if (curve)
        emit stepClicked(curve->data.run, qint64(curve->data.points[i].step));
}

int CurvesPanel::seriesCount()
{
    waitForData();
    return int(painter_->curves().size());
}

int CurvesPanel::pointCount(qint64 run, const QString& key)
{
    waitForData();
    const auto* curve = painter_->find(run, key);
    return curve ? int(curve->data.points.size()) : 0;
}

QVector<double> CurvesPanel::xValues(qint64 run, const QString& key)
{
    waitForData();
    const auto* curve = painter_->find(run, key);
    return curve ? curve->x : QVector<double>();
}

QVector<double> CurvesPanel::rawValues(qint64 run, const QString& key)
{
    waitForData();
    QVector<double> out;
    if (const auto* curve = painter_->find(run, key))
        for (const auto& p : curve->data.points)
            out << p.value;
    return out;
}

QVector<double> CurvesPanel::smoothedValues(qint64 run, const QString& key)
{
    waitForData();
    const auto* curve = painter_->find(run, key);
    return curve ? QVector<double>(curve->data.smoothed.begin(), curve->data.smoothed.end()) : QVector<double>();
}

int CurvesPanel::stageLineCount()
{
    waitForData();
    return painter_->stageLineCount();
}

QStringList CurvesPanel::stageLabels()
{
    waitForData();
    return painter_->stageLabels();
}

bool CurvesPanel::exportCsv(const QString& path)
{
    waitForData();
    return writeCurvesCsv(path, painter_->curves());
}

bool CurvesPanel::exportPng(const QString& path, int width, int height)
{
    waitForData();
    return plot_->savePng(path, width, height);
}

void CurvesPanel::chooseCsv()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export curves as CSV"), QStringLiteral("curves.csv"),
                                                      tr("CSV files (*.csv)"));
    if (!path.isEmpty() && !exportCsv(path))
        readout_->setText(tr("Cannot write %1").arg(path));
}

void CurvesPanel::choosePng()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export plot as PNG"), QStringLiteral("curves.png"),
                                                      tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportPng(path))
        readout_->setText(tr("Cannot write %1").arg(path));
}

void CurvesPanel::queueReplot()
{
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

} // namespace thinkbench::widgets
