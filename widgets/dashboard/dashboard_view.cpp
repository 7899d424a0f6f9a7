#include "widgets/dashboard/dashboard_view.h"

#include "core/store/run_store.h"
#include "widgets/curves/series_loader.h"
#include "widgets/dashboard/chart_grid.h"
#include "widgets/dashboard/small_chart.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSet>
#include <QSettings>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace thinkbench::widgets {

namespace {

const QString kPinnedSetting = QStringLiteral("dashboard/pinned");

} // namespace

DashboardView::DashboardView(QWidget* parent)
    : QWidget(parent)
    , filterEdit_(new QLineEdit(this))
    , showAllBox_(new QCheckBox(tr("Show all"), this))
    , stepLabel_(new QLabel(this))
    , legend_(new QLabel(this))
    , hint_(new QLabel(this))
    , scroll_(new QScrollArea(this))
    , grid_(new ChartGrid)
    , loader_(new SeriesLoader(this))
    , detailTimer_(new QTimer(this))
{
    filterEdit_->setObjectName(QStringLiteral("dashboardFilter"));
    filterEdit_->setPlaceholderText(tr("Filter metrics (regular expression)"));
    filterEdit_->setAccessibleName(tr("Filter metrics"));
    filterEdit_->setClearButtonEnabled(true);
    showAllBox_->setToolTip(tr("Unfold every family, not only those the runs' stages are watched by"));
    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("Show every step in every chart"));
    legend_->setTextFormat(Qt::RichText);
    legend_->setWordWrap(true);
    hint_->setWordWrap(true);
    hint_->setAlignment(Qt::AlignCenter);
    hint_->setStyleSheet(QStringLiteral("color: palette(mid); padding: 12px"));

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(filterEdit_, 1);
    controls->addWidget(showAllBox_);
    controls->addWidget(reset);
    controls->addWidget(stepLabel_);
    scroll_->setWidget(grid_);
    scroll_->setWidgetResizable(true);
    scroll_->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(legend_);
    layout->addWidget(hint_);
    layout->addWidget(scroll_, 1);

    pinned_ = QSettings().value(kPinnedSetting).toStringList();
    filter_.setPatternOptions(QRegularExpression::CaseInsensitiveOption);
    connect(loader_, &SeriesLoader::answered, this, &DashboardView::apply);
    connect(filterEdit_, &QLineEdit::textChanged, this, &DashboardView::setFilter);
    connect(showAllBox_, &QCheckBox::toggled, this, &DashboardView::setShowAll);
    connect(reset, &QPushButton::clicked, this, &DashboardView::resetZoom);
    connect(grid_, &ChartGrid::sectionToggled, this, [this](const QString& id) {
        bool isFamily = false;
        const MetricFamily family = MetricFamily(id.toInt(&isFamily));
        if (!isFamily)
            return;
        for (const auto& section : grid_->sections())
            if (section.id == id)
                unfolded_[family] = !section.expanded;
        layOut();
    });
    // Zooms arrive in bursts; the visible range is read at full resolution once they settle.
    detailTimer_->setSingleShot(true);
    detailTimer_->setInterval(150);
    connect(detailTimer_, &QTimer::timeout, this, [this] { request(false, false); });
    layOut();
}

DashboardView::~DashboardView() = default;

void DashboardView::setDatabase(const std::string& path)
{
    database_ = path;
    runs_.clear();
    syncCharts({});
    userZoomed_ = false;
    request(true, false);
}

void DashboardView::setRuns(const QList<qint64>& runs)
{
    runs_ = runs;
    userZoomed_ = false;
    request(true, false);
}

void DashboardView::setSmoothing(double weight)
{
    smoothing_ = weight;
    request(false, false);
}

void DashboardView::setActive(bool on)
{
    active_ = on;
    request(true, false);
}

bool DashboardView::busy() const
{
    return loader_->busy();
}

void DashboardView::waitForData()
{
    // An answer may ask for the charts it unfolded: wait for those too.
    while (loader_->busy())
        loader_->wait();
    // Charts placed since get their size now, so a grab draws them at it.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

void DashboardView::refresh()
{
    request(true, true);
}

void DashboardView::request(bool readRuns, bool appendNew)
{
    if (!active_)
        return;
    CurvesRequest r;
    r.database = database_;
    r.runs = runs_;
    r.metrics = loadedKeys();
    if (r.metrics != requested_)
        ++selection_; // the loader keeps its metrics while the selection stays
    requested_ = r.metrics;
    r.selection = selection_;
    r.readRuns = readRuns;
    r.appendNew = appendNew;
    r.smoothing = smoothing_;
    // About one bucket (four points) per pixel of a chart.
    r.maxPoints = size_t(4 * std::max(ChartGrid::kMinChartWidth, scroll_->viewport()->width() / grid_->columns()));
    if (userZoomed_)
        r.zoom = xRange_;
    loader_->request(r);
}

QStringList DashboardView::loadedKeys() const
{
    QStringList keys;
    for (const SmallChart* chart : charts())
        keys << chart->key();
    return keys;
}

QList<SmallChart*> DashboardView::charts() const
{
    QList<SmallChart*> out;
    for (const auto& section : grid_->sections())
        if (section.expanded)
            out << section.charts;
    return out;
}

void DashboardView::apply(const CurvesSnapshot& snapshot)
{
    if (!snapshot.error.isEmpty()) {
        hint_->setText(tr("Cannot read the run database: %1").arg(snapshot.error));
        hint_->show();
        return;
    }
    runNames_.clear();
    runStarts_.clear();
    for (const auto& run : snapshot.runs) {
        runNames_[run.id] = run.name;
        runStarts_[run.id] = run.start;
    }
    stages_ = snapshot.stages;
    syncCharts(snapshot.keys);
    layOut();
    showRunLegend();

    // The series by chart, in run order; charts folded since the request get none.
    QHash<QString, std::vector<SeriesView>> byKey;
    for (const auto& view : snapshot.series)
        byKey[view.key].push_back(view);
    const QList<SmallChart*> shown = charts();
    QList<SmallChart*> changed;
    for (auto it = charts_.begin(); it != charts_.end(); ++it) {
        SmallChart* chart = it.value();
        const bool visible = shown.contains(chart);
        bool drawn = chart->setLayout({CurvesPanel::XAxis::Step, runs_, {it.key()}, runNames_, runStarts_});
        drawn = chart->setSeries(visible ? byKey.take(it.key()) : std::vector<SeriesView>{}) || drawn;
        drawn = chart->setStages(visible ? stages_ : decltype(stages_){}) || drawn;
        if (drawn)
            changed << chart;
    }
    for (SmallChart* chart : shown) {
        if (!changed.contains(chart))
            continue; // most polls: nothing new in this chart
        if (userZoomed_)
            chart->setXRange(xRange_.first, xRange_.second);
        else
            chart->fitX();
        if (cursorStep_)
            chart->showCrosshair(double(*cursorStep_));
        chart->redraw(!snapshot.appendNew); // a choice shows at once; polls coalesce
    }
    // Charts unfolded since the request are read now.
    if (loadedKeys() != requested_)
        request(false, false);
}

void DashboardView::syncCharts(const QHash<qint64, QStringList>& keys)
{
    QStringList wanted;
    for (qint64 run : runs_)
        for (const QString& key : keys.value(run))
            if (!isErrorKey(key) && !wanted.contains(key))
                wanted << key;
    QList<SmallChart*> gone;
    for (auto it = charts_.begin(); it != charts_.end();)
        if (wanted.contains(it.key())) {
            ++it;
        } else {
            gone << it.value();
            it = charts_.erase(it);
        }
    for (const QString& key : wanted)
        if (!charts_.contains(key))
            charts_[key] = addChart(key);
    if (gone.isEmpty())
        return;
    layOut(); // the grid lets go of them first
    qDeleteAll(gone);
}

SmallChart* DashboardView::addChart(const QString& key)
{
    auto* chart = new SmallChart(key, grid_);
    chart->hide(); // until the grid places it
    chart->setPinned(pinned_.contains(key));
    connect(chart, &SmallChart::hovered, this, &DashboardView::setCursorStep);
    connect(chart, &SmallChart::stepClicked, this, &DashboardView::stepClicked);
    connect(chart, &SmallChart::openRequested, this, [this, key] { emit openRequested(key); });
    connect(chart, &SmallChart::pinToggled, this, [this, key](bool on) { setPinned(key, on); });
    connect(chart, &SmallChart::xRangeChanged, this,
            [this, chart](double lower, double upper) { linkXRange(chart, lower, upper); });
    return chart;
}

// The sections follow the keys, pins, filter, stage kinds and folds.
void DashboardView::layOut()
{
    QSet<MetricFamily> watched;
    for (qint64 run : runs_)
        for (const auto& stage : stages_.value(run))
            for (MetricFamily family : stageFamilies(stage))
                watched.insert(family);
    const bool filtering = !filter_.pattern().isEmpty();
    auto matches = [&](const QString& key) { return !filtering || filter_.match(key).hasMatch(); };
    QStringList keys = charts_.keys();
    keys.sort();

    QList<ChartGrid::Section> sections;
    ChartGrid::Section pins{QStringLiteral("pinned"), tr("Pinned"), false, true, {}};
    for (const QString& key : pinned_)
        if (charts_.contains(key) && matches(key))
            pins.charts << charts_[key];
    if (!pins.charts.isEmpty())
        sections << pins;
    for (MetricFamily family : kMetricFamilies) {
        ChartGrid::Section section{QString::number(int(family)), familyTitle(family), true, false, {}};
        for (const QString& key : keys)
            if (metricFamily(key) == family && !pinned_.contains(key) && matches(key))
                section.charts << charts_[key];
        if (section.charts.isEmpty())
            continue;
        // A search unfolds what it finds; with no stage known yet every family shows.
        const bool byDefault = showAll_ || watched.isEmpty() || watched.contains(family);
        section.expanded = filtering || unfolded_.value(family, byDefault);
        sections << section;
    }
    grid_->setSections(sections);

    if (database_.empty() || runs_.isEmpty())
        hint_->setText(tr("Choose runs in the list to see their metrics."));
    else if (charts_.isEmpty())
        hint_->setText(tr("The chosen runs have no metrics yet."));
    else if (sections.isEmpty())
        hint_->setText(tr("No metric matches the filter."));
    hint_->setVisible(sections.isEmpty());
    if (loadedKeys() != requested_)
        request(false, false);
}

void DashboardView::setFilter(const QString& pattern)
{
    if (filterEdit_->text() != pattern) {
        const QSignalBlocker block(filterEdit_);
        filterEdit_->setText(pattern);
    }
    const QRegularExpression expression(pattern, QRegularExpression::CaseInsensitiveOption);
    if (!expression.isValid()) {
        filterError_ = tr("Invalid regular expression at %1: %2")
                           .arg(expression.patternErrorOffset())
                           .arg(expression.errorString());
        filterEdit_->setStyleSheet(QStringLiteral("QLineEdit { background: #fde2e2; }"));
        filterEdit_->setToolTip(filterError_);
        return;
    }
    filterError_.clear();
    filterEdit_->setStyleSheet({});
    filterEdit_->setToolTip(tr("Only the metrics whose name matches; pinned ones too"));
    filter_ = expression;
    layOut();
}

void DashboardView::setShowAll(bool on)
{
    {
        const QSignalBlocker block(showAllBox_);
        showAllBox_->setChecked(on);
    }
    showAll_ = on;
    unfolded_.clear();
    layOut();
}

void DashboardView::setPinned(const QString& key, bool on)
{
    pinned_.removeAll(key);
    if (on)
        pinned_ << key;
    QSettings().setValue(kPinnedSetting, pinned_);
    if (SmallChart* chart = charts_.value(key))
        chart->setPinned(on);
    layOut();
}

void DashboardView::setCursorStep(double x)
{
    cursorStep_ = std::llround(x);
    stepLabel_->setText(tr("step %1").arg(*cursorStep_));
    for (SmallChart* chart : charts())
        chart->showCrosshair(double(*cursorStep_));
}

void DashboardView::linkXRange(SmallChart* from, double lower, double upper)
{
    userZoomed_ = true;
    xRange_ = {lower, upper};
    for (SmallChart* chart : charts())
        if (chart != from) {
            chart->setXRange(lower, upper);
            chart->redraw();
        }
    detailTimer_->start();
}

void DashboardView::resetZoom()
{
    userZoomed_ = false;
    for (SmallChart* chart : charts()) {
        chart->fitX();
        chart->redraw();
    }
    request(false, false); // back to the coarse points
}

void DashboardView::showRunLegend()
{
    QStringList parts;
    for (qint64 run : runs_)
        parts << QStringLiteral("<span style='color:%1'>■</span>&nbsp;#%2&nbsp;%3")
                     .arg(CurvePainter::runColor(runs_, run).name())
                     .arg(run)
                     .arg(runNames_.value(run).toHtmlEscaped());
    legend_->setText(parts.join(QStringLiteral(" &nbsp; ")));
    legend_->setVisible(!parts.isEmpty());
}

} // namespace thinkbench::widgets
