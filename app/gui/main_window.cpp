#include "app/gui/main_window.h"

#include "widgets/runs_panel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

namespace thinkbench::app {

namespace {

constexpr int kLayoutVersion = 1;
constexpr int kMaxRecent = 8;

// Docks whose panel has not been built yet say what they will show.
QWidget* comingPanel(const QString& what)
{
    auto* label = new QLabel(what);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setEnabled(false);
    label->setMargin(12);
    return label;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , runs_(new widgets::RunsPanel)
    , messageBar_(new QLabel)
{
    setObjectName("MainWindow");
    setWindowTitle(tr("ThinkBench"));
    setDockNestingEnabled(true);

    auto* centre = new QWidget;
    auto* layout = new QVBoxLayout(centre);
    messageBar_->setObjectName("messageBar");
    messageBar_->setWordWrap(true);
    messageBar_->hide();
    layout->addWidget(messageBar_);
    layout->addStretch();
    setCentralWidget(centre);
    centre->setMaximumHeight(0); // docks fill the window; the message bar grows it when shown

    createMenus();
    addPanel("RunsDock", tr("Runs"), runs_, Qt::LeftDockWidgetArea);
    addPanel("CurvesDock", tr("Curves"),
             comingPanel(tr("Reward, accuracy, length, KL and expert-load curves of the "
                            "selected runs.")),
             Qt::RightDockWidgetArea);
    addPanel("TracesDock", tr("Traces"),
             comingPanel(tr("Step through a sample's reasoning, answer and reward parts.")),
             Qt::RightDockWidgetArea);
    addPanel("AnnotationsDock", tr("Annotations"),
             comingPanel(tr("Label steps and spans of a trace.")), Qt::RightDockWidgetArea);
    addPanel("CompareDock", tr("Compare"),
             comingPanel(tr("Models side by side on the same prompt.")), Qt::RightDockWidgetArea);
    addPanel("StagesDock", tr("Stages"),
             comingPanel(tr("Edit a recipe's stages and start, stop or resume a run.")),
             Qt::LeftDockWidgetArea);
    addPanel("ChatDock", tr("Chat"), comingPanel(tr("Chat with a local model.")),
             Qt::RightDockWidgetArea);
    // Default layout: runs over stages on the left; curves over the trace, annotation, compare
    // and chat tabs on the right. A saved layout replaces it.
    tabifyDockWidget(docks_[2], docks_[3]);
    tabifyDockWidget(docks_[3], docks_[4]);
    tabifyDockWidget(docks_[4], docks_[6]);
    docks_[2]->raise();
    resize(1280, 800);
    resizeDocks({docks_[0], docks_[1]}, {400, 880}, Qt::Horizontal);
    resizeDocks({docks_[0], docks_[5]}, {420, 340}, Qt::Vertical);
    resizeDocks({docks_[1], docks_[2]}, {400, 360}, Qt::Vertical);

    connect(runs_, &widgets::RunsPanel::databaseError, this,
            [this](const QString& message) { showMessage(message, true); });
    statusBar()->showMessage(tr("Ready"));
    restoreLayout();
}

QDockWidget* MainWindow::addPanel(const QString& objectName, const QString& title, QWidget* panel,
                                  Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(panel);
    addDockWidget(area, dock);
    viewMenu_->addAction(dock->toggleViewAction());
    docks_.append(dock);
    return dock;
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open run database…"), this,
                                    &MainWindow::openDatabaseDialog);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    viewMenu_ = menuBar()->addMenu(tr("&View"));
    updateRecentMenu();
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
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
    if (!runs_->openDatabase(path))
        return false;
    messageBar_->hide();
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
    messageBar_->show();
    centralWidget()->setMaximumHeight(QWIDGETSIZE_MAX);
}

void MainWindow::openDatabaseDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open run database"), QString(),
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
