#include "widgets/runs_panel.h"

#include "core/error.h"
#include "core/store/run_store.h"
#include "widgets/run_details.h"

#include <QDateTime>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHash>
#include <QLabel>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

namespace {
enum Column { Id, Name, Status, Stages, Processes, LastStep, Created, ColumnCount };

// "2 × gloo" for the latest stage of several processes, "1" for one, empty before any stage.
QString processesOf(const core::RunStore& store, int64_t run)
{
    const auto stages = store.stages(run);
    if (stages.empty())
        return {};
    const core::StageInfo& last = stages.back();
    return last.worldSize > 1 ? QStringLiteral("%1 × %2").arg(last.worldSize).arg(QString::fromStdString(last.backend))
                              : QStringLiteral("1");
}

} // namespace

RunsPanel::RunsPanel(QWidget* parent)
    : QWidget(parent)
    , message_(new QLabel(this))
    , tree_(new QTreeWidget(this))
    , details_(new RunDetails(this))
    , watcher_(new QFileSystemWatcher(this))
    , refreshTimer_(new QTimer(this))
{
    message_->setWordWrap(true);
    message_->setText(tr("No run database open. Use File → Open run database…"));
    tree_->setColumnCount(ColumnCount);
    tree_->setHeaderLabels(
        {tr("ID"), tr("Name"), tr("Status"), tr("Stages"), tr("Processes"), tr("Last step"), tr("Started")});
    tree_->headerItem()->setToolTip(Processes, tr("The processes (ranks) of the latest stage and their backend"));
    tree_->setRootIsDecorated(false);
    tree_->setAlternatingRowColors(true);
    tree_->setSortingEnabled(true);
    tree_->sortByColumn(Id, Qt::AscendingOrder);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(message_);
    split_ = new QSplitter(Qt::Vertical, this);
    split_->setChildrenCollapsible(false);
    split_->addWidget(tree_);
    split_->addWidget(details_);
    split_->setStretchFactor(0, 1);
    split_->setStretchFactor(1, 2);
    // Whatever height the dock has: asking for the list's and the details' preferred heights made
    // the dock's scroll area scroll in the short Runs dock of the default layout.
    split_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
    layout->addWidget(split_, 1);
    connect(details_, &RunDetails::stopOwnRun, this, &RunsPanel::stopOwnRun);

    // A writer touches the -wal file on every commit; coalesce bursts into one re-read.
    refreshTimer_->setSingleShot(true);
    refreshTimer_->setInterval(250);
    connect(refreshTimer_, &QTimer::timeout, this, &RunsPanel::refresh);
    connect(watcher_, &QFileSystemWatcher::fileChanged, refreshTimer_, qOverload<>(&QTimer::start));
    auto* poll = new QTimer(this); // WAL files come and go; a slow poll catches what the watcher misses
    poll->setInterval(2000);
    connect(poll, &QTimer::timeout, this, &RunsPanel::refresh);
    poll->start();
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (!rebuilding_)
            showDetails();
        if (item)
            emit runSelected(item->data(Id, Qt::DisplayRole).toLongLong());
    });
}

RunsPanel::~RunsPanel() = default;

bool RunsPanel::openDatabase(const QString& path)
{
    path_ = path;
    store_.reset();
    runs_.clear();
    tree_->clear();
    details_->clear();
    if (!watcher_->files().isEmpty())
        watcher_->removePaths(watcher_->files());
    try {
        store_ = std::make_unique<core::RunStore>(path.toStdString(), core::OpenMode::ReadOnly);
    } catch (const core::Error& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    watcher_->addPath(path);
    if (QFileInfo::exists(path + "-wal"))
        watcher_->addPath(path + "-wal");
    refresh();
    return true;
}

QString RunsPanel::errorText() const
{
    return store_ ? QString() : message_->text();
}

int RunsPanel::runCount() const
{
    return tree_->topLevelItemCount();
}

qint64 RunsPanel::currentRun() const
{
    const auto* item = tree_->currentItem();
    return item ? item->data(Id, Qt::DisplayRole).toLongLong() : -1;
}

void RunsPanel::setOwnRun(qint64 run)
{
    details_->setOwnRun(run);
    showDetails();
}

void RunsPanel::showDetails()
{
    const qint64 run = currentRun();
    const auto info = std::find_if(runs_.begin(), runs_.end(), [run](const core::RunInfo& r) { return r.id == run; });
    if (!store_ || info == runs_.end()) {
        details_->clear();
        return;
    }
    const bool wasHint = details_->run() == 0;
    details_->showRun(*store_, *info);
    if (wasHint && details_->run() != 0) { // the details were one line: give them their share back
        const int height = split_->height();
        split_->setSizes({height / 3, height - height / 3});
    }
}

void RunsPanel::showError(const QString& message)
{
    message_->setText(tr("Cannot open the run database: %1").arg(message));
    message_->setStyleSheet("color: #b00020;");
    message_->show();
    emit databaseError(message);
}

void RunsPanel::refresh()
{
    if (!store_)
        return;
    std::vector<core::RunInfo> runs;
    QHash<int64_t, QString> processes;
    try {
        runs = store_->listRuns();
        for (const auto& run : runs)
            processes[run.id] = processesOf(*store_, run.id);
    } catch (const core::Error& e) {
        showError(QString::fromStdString(e.what()));
        return;
    }
    if (QFileInfo::exists(path_ + "-wal") && !watcher_->files().contains(path_ + "-wal"))
        watcher_->addPath(path_ + "-wal");
    message_->setStyleSheet(QString());
    message_->setText(tr("%n run(s) in %1", nullptr, int(runs.size())).arg(QFileInfo(path_).fileName()));

    const qint64 selected = currentRun();
    runs_ = std::move(runs);
    rebuilding_ = true;
    tree_->setSortingEnabled(false);
    tree_->clear();
    for (const auto& run : runs_) {
        auto* item = new QTreeWidgetItem(tree_);
        item->setData(Id, Qt::DisplayRole, qint64(run.id));
        item->setText(Name, QString::fromStdString(run.name));
        item->setText(Status, QString::fromStdString(run.status));
        item->setData(Stages, Qt::DisplayRole, run.stageCount);
        item->setText(Processes, processes.value(run.id));
        item->setData(LastStep, Qt::DisplayRole, qint64(run.lastStep));
        item->setText(Created, QDateTime::fromSecsSinceEpoch(qint64(run.createdAt)).toString("yyyy-MM-dd hh:mm"));
        item->setToolTip(
            Name,
            tr("Host %1, ThinkBench %2").arg(QString::fromStdString(run.host), QString::fromStdString(run.version)));
        if (run.id == selected)
            tree_->setCurrentItem(item);
    }
    tree_->setSortingEnabled(true);
    rebuilding_ = false;
    // Names whole, not elided to "done-…" in a narrow dock; the start time scrolls off first.
    for (int c = 0; c < ColumnCount; ++c)
        tree_->resizeColumnToContents(c);
    showDetails();
}

} // namespace thinkbench::widgets
