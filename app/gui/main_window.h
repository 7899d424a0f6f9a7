#pragma once
// The main window: one dock per panel, each with a unique objectName so the layout is saved in
// QSettings and restored; the View menu toggles docks; File opens a run database, which every
// panel then reads (and the annotation panel writes) through one shared run store.

#include <QMainWindow>

#include <memory>

class QDockWidget;
class QLabel;
class QToolBar;

namespace thinkbench::core {
class RunStore;
}

namespace thinkbench::widgets {
class AnnotationPanel;
class ChatPanel;
class ComparePanel;
class CurvesPanel;
class EmergenceView;
class RunControl;
class RunsPanel;
class StageEditor;
class TraceStepper;
} // namespace thinkbench::widgets

namespace thinkbench::app {

enum class LayoutPreset;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    bool openDatabase(const QString& path);
    widgets::RunsPanel* runsPanel() const { return runs_; }
    widgets::CurvesPanel* curvesPanel() const { return curves_; }
    widgets::TraceStepper* traceStepper() const { return stepper_; }
    widgets::AnnotationPanel* annotationPanel() const { return annotations_; }
    widgets::StageEditor* stageEditor() const { return stageEditor_; }
    widgets::RunControl* runControl() const { return runControl_; }
    widgets::ComparePanel* comparePanel() const { return compare_; }
    widgets::ChatPanel* chatPanel() const { return chat_; }
    widgets::EmergenceView* emergenceView() const { return emergence_; }
    QList<QDockWidget*> docks() const { return docks_; }
    void showMessage(const QString& text, bool error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QDockWidget* addPanel(const QString& objectName, const QString& title, QWidget* panel, Qt::DockWidgetArea area);
    QWidget* createStagesPanel();
    void connectPanels();
    void setPanelStore(core::RunStore* store);
    // The recipe the editor shows, written where the training CLI can read it.
    void writeRecipeForRun();
    void createMenus();
    void applyLayout(LayoutPreset preset);
    // The layout and geometry saved at the last close; false when there is none to restore.
    bool restoreLayout();
    void openDatabaseDialog();
    void updateRecentMenu();

    std::unique_ptr<core::RunStore> store_;
    widgets::RunsPanel* runs_;
    widgets::CurvesPanel* curves_;
    widgets::TraceStepper* stepper_;
    widgets::AnnotationPanel* annotations_;
    widgets::StageEditor* stageEditor_;
    widgets::RunControl* runControl_;
    widgets::ComparePanel* compare_;
    widgets::ChatPanel* chat_;
    widgets::EmergenceView* emergence_;
    QLabel* messageBar_;
    QToolBar* messages_ = nullptr;
    QList<QDockWidget*> docks_;
    QMenu* viewMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
};

} // namespace thinkbench::app
