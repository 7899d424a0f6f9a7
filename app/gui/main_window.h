#pragma once
// The main window: one dock per panel, each with a unique objectName so the layout is saved in
// QSettings and restored; the View menu toggles docks; File opens a run database.

#include <QMainWindow>

class QDockWidget;
class QLabel;

namespace thinkbench::widgets {
class RunsPanel;
}

namespace thinkbench::app {

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    bool openDatabase(const QString& path);
    widgets::RunsPanel* runsPanel() const { return runs_; }
    QList<QDockWidget*> docks() const { return docks_; }
    void showMessage(const QString& text, bool error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QDockWidget* addPanel(const QString& objectName, const QString& title, QWidget* panel,
                          Qt::DockWidgetArea area);
    void createMenus();
    void restoreLayout();
    void openDatabaseDialog();
    void updateRecentMenu();

    widgets::RunsPanel* runs_;
    QLabel* messageBar_;
    QList<QDockWidget*> docks_;
    QMenu* viewMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
};

} // namespace thinkbench::app
