#include "app/gui/main_window.h"

#include "app/gui/layout_presets.h"

#include "core/store/run_store.h"
#include "widgets/annotation_panel.h"
#include "widgets/chat_panel.h"
#include "widgets/compare_panel.h"
#include "widgets/curves_panel.h"
#include "widgets/emergence_view.h"
#include "widgets/run_control.h"
#include "widgets/runs_panel.h"
#include "widgets/stage_editor.h"
#include "widgets/trace_stepper.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>

namespace thinkbench::app {

namespace {

constexpr int kLayoutVersion = 3; // 3: no central area, panels in scroll areas
constexpr int kLivePollMs = 1000;
constexpr int kMaxRecent = 8;

// The training CLI: beside the GUI (installed), one folder up (the build tree), or on PATH.
QString findCli()
{
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath("thinkbench-cli"), here.filePath("../thinkbench-cli")})
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    return QStandardPaths::findExecutable("thinkbench-cli");
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , runs_(new widgets::RunsPanel)
    , curves_(new widgets::CurvesPanel)
    , stepper_(new widgets::TraceStepper)
    , annotations_(new widgets::AnnotationPanel)
    , stageEditor_(new widgets::StageEditor)
    , runControl_(new widgets::RunControl)
    , compare_(new widgets::ComparePanel)
    , chat_(new widgets::ChatPanel)
    , emergence_(new widgets::EmergenceView)
    , messageBar_(new QLabel)
{
    setObjectName("MainWindow");
    setWindowTitle(tr("ThinkBench"));
    setDockNestingEnabled(true);

    // No central widget: the docks share the whole window. Messages get a bar of their own above
    // them, shown only while there is one.
    messageBar_->setObjectName("messageBar");
    messageBar_->setWordWrap(true);
    messages_ = addToolBar(tr("Messages"));
    messages_->setObjectName("MessagesBar");
    messages_->setMovable(false);
    messages_->addWidget(messageBar_);
    messages_->hide();

    createMenus();
    addPanel("RunsDock", tr("Runs"), runs_, Qt::LeftDockWidgetArea);
    addPanel("CurvesDock", tr("Curves"), curves_, Qt::RightDockWidgetArea);
    addPanel("TracesDock", tr("Traces"), stepper_, Qt::RightDockWidgetArea);
    addPanel("AnnotationsDock", tr("Annotations"), annotations_, Qt::RightDockWidgetArea);
    addPanel("CompareDock", tr("Compare"), compare_, Qt::RightDockWidgetArea);
    addPanel("StagesDock", tr("Stages"), createStagesPanel(), Qt::LeftDockWidgetArea);
    addPanel("ChatDock", tr("Chat"), chat_, Qt::RightDockWidgetArea);
    addPanel("EmergenceDock", tr("Emergence"), emergence_, Qt::RightDockWidgetArea);
    connectPanels();
    statusBar()->showMessage(tr("Ready"));
    // The first window fits the screen's free area (1366x768 laptops included) in "Monitor a
    // run"; later ones open as the user left them. Only without a saved layout: the preset's dock
    // sizes, applied once the window is laid out, would replace the restored ones.
    if (!restoreLayout()) {
        resize(QSize(1400, 900).boundedTo(screen()->availableGeometry().size() * 0.94));
        applyLayout(LayoutPreset::MonitorRun);
    }
}

MainWindow::~MainWindow()
{
    // The panels hold the store without owning it: detach them before it goes.
    setPanelStore(nullptr);
}

void MainWindow::applyLayout(LayoutPreset preset)
{
    applyLayoutPreset(*this, {docks_[0], docks_[1], docks_[2], docks_[3], docks_[4], docks_[5], docks_[6], docks_[7]},
                      preset);
}

void MainWindow::setPanelStore(core::RunStore* store)
{
    curves_->setStore(store);
    stepper_->setStore(store);
    annotations_->setStore(store);
    compare_->setStore(store);
    emergence_->setStore(store);
}

QWidget* MainWindow::createStagesPanel()
{
    stageEditor_->setRecipeDirectory(":/recipes");
    stageEditor_->openRecipe(":/recipes/demo.toml");
    runControl_->setCliPath(findCli());
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(stageEditor_);
    splitter->addWidget(runControl_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    return splitter;
}

void MainWindow::connectPanels()
{
    connect(runs_, &widgets::RunsPanel::databaseError, this,
            [this](const QString& message) { showMessage(message, true); });
    connect(runs_, &widgets::RunsPanel::runSelected, this, [this](qint64 run) {
        curves_->setRuns({run});
        emergence_->setRun(run);
        runControl_->setResumeRun(run);
    });
    connect(curves_, &widgets::CurvesPanel::stepClicked, this, [this](qint64 run, qint64 step) {
        stepper_->showStepSamples(run, step);
        docks_[2]->raise();
    });
    annotations_->setStepper(stepper_);
    const auto openTrace = [this](const widgets::TraceSample& sample) {
        stepper_->openTrace(sample);
        docks_[2]->raise();
    };
    connect(compare_, &widgets::ComparePanel::openTraceRequested, this, openTrace);
    connect(chat_, &widgets::ChatPanel::openTraceRequested, this, openTrace);
    connect(stageEditor_, &widgets::StageEditor::recipeChanged, this, &MainWindow::writeRecipeForRun);
    connect(runs_, &widgets::RunsPanel::stopOwnRun, runControl_, &widgets::RunControl::stop);
    connect(runControl_, &widgets::RunControl::runStarted, this, [this](qint64 run) {
        runs_->setOwnRun(run);
        runs_->refresh();
        curves_->refresh();
        QList<qint64> shown = curves_->runs();
        if (!shown.contains(run))
            curves_->setRuns(shown << run);
    });
    connect(runControl_, &widgets::RunControl::finished, this, [this](const QString& status) {
        runs_->setOwnRun(0);
        runs_->refresh();
        statusBar()->showMessage(tr("Run %1").arg(status), 5000);
    });
}

void MainWindow::writeRecipeForRun()
{
    const QString path =
        QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
            .filePath(QStringLiteral("thinkbench-recipe-%1.toml").arg(QCoreApplication::applicationPid()));
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(stageEditor_->tomlText().toUtf8()) >= 0 && file.commit())
        runControl_->setRecipePath(path);
    else
        showMessage(tr("Cannot write the recipe for the run to %1").arg(path), true);
}

QDockWidget* MainWindow::addPanel(const QString& objectName, const QString& title, QWidget* panel,
                                  Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    // A panel squeezed below its own minimum scrolls rather than pushing the window off-screen.
    auto* scroll = new QScrollArea;
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(panel);
    dock->setWidget(scroll);
    addDockWidget(area, dock);
    viewMenu_->addAction(dock->toggleViewAction());
    docks_.append(dock);
    return dock;
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open run database…"), this, &MainWindow::openDatabaseDialog);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    viewMenu_ = menuBar()->addMenu(tr("&View"));
    QMenu* layouts = viewMenu_->addMenu(tr("&Layout"));
    for (const LayoutPreset preset :
         {LayoutPreset::MonitorRun, LayoutPreset::InspectTraces, LayoutPreset::CompareModels})
        layouts->addAction(layoutPresetName(preset), this, [this, preset] { applyLayout(preset); });
    viewMenu_->addSeparator();
    updateRecentMenu();
}

bool MainWindow::restoreLayout()
{
    QSettings settings;
    return restoreGeometry(settings.value("window/geometry").toByteArray()) &&
           restoreState(settings.value("window/state").toByteArray(), kLayoutVersion);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState(kLayoutVersion));
    event->accept();
}

bool MainWindow::openDatabase(const QString& path)
{
    // Panels share one writable store (annotations are written); the runs panel keeps its own
    // read-only view. The writable one opens first: it brings a database of an older ThinkBench
    // to the current schema, which read-only views cannot do. A missing file is not created.
    std::unique_ptr<core::RunStore> store;
    QString readOnlyReason;
    if (QFileInfo::exists(path)) {
        try {
            store = std::make_unique<core::RunStore>(path.toStdString());
        } catch (const std::exception& e) {
            readOnlyReason = QString::fromStdString(e.what());
        }
    }
    if (!runs_->openDatabase(path))
        return false;
    if (!store) {
        setPanelStore(nullptr);
        store_.reset();
        showMessage(tr("%1 opened read-only: %2").arg(path, readOnlyReason), true);
        return true;
    }
    setPanelStore(store.get());
    store_ = std::move(store);
    curves_->setLiveInterval(kLivePollMs);
    // The selected run, or else the latest, so the curves show something at once.
    qint64 shown = runs_->currentRun();
    if (shown <= 0) {
        const auto all = store_->listRuns(); // ordered by id: the latest is last
        if (!all.empty())
            shown = all.back().id;
    }
    if (shown > 0) {
        curves_->setRuns({shown});
        emergence_->setRun(shown);
    }
    runControl_->setDatabasePath(path);
    messages_->hide();
    setWindowTitle(tr("ThinkBench — %1").arg(QFileInfo(path).fileName()));
    QSettings settings;
    QStringList recent = settings.value("recentDatabases").toStringList();
    recent.removeAll(QFileInfo(path).absoluteFilePath());
    recent.prepend(QFileInfo(path).absoluteFilePath());
    settings.setValue("recentDatabases", recent.mid(0, kMaxRecent));
    updateRecentMenu();
    statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
    return true;
}

void MainWindow::showMessage(const QString& text, bool error)
{
    messageBar_->setText(text);
    messageBar_->setStyleSheet(error ? "background: #fde7e9; color: #8a0010; padding: 6px;"
                                     : "background: #e8f0fe; padding: 6px;");
    messages_->show();
}

void MainWindow::openDatabaseDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open run database"), QString(),
                                                      tr("Run databases (*.sqlite *.db);;All files (*)"));
    if (!path.isEmpty())
        openDatabase(path);
}

void MainWindow::updateRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recentDatabases").toStringList();
    for (const QString& path : recent)
        recentMenu_->addAction(path, this, [this, path] { openDatabase(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

} // namespace thinkbench::app
