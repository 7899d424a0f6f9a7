#pragma once
// The main window's layouts for the three kinds of work its users do, from the View menu: the
// docks placed afresh, sized to the window. The first window opens in "Monitor a run"; a layout
// the user arranged is saved and restored by the window itself.

#include <QCoreApplication>

class QDockWidget;
class QMainWindow;

namespace thinkbench::app {

enum class LayoutPreset {
    MonitorRun,    // runs over stages | curves over the trace, annotation, compare, chat and emergence tabs
    InspectTraces, // runs over curves | the trace | annotations
    CompareModels, // runs over stages | compare | chat over the trace
};

struct PanelDocks {
    QDockWidget* runs;
    QDockWidget* curves;
    QDockWidget* traces;
    QDockWidget* annotations;
    QDockWidget* compare;
    QDockWidget* stages;
    QDockWidget* chat;
    QDockWidget* emergence;
};

void applyLayoutPreset(QMainWindow& window, const PanelDocks& docks, LayoutPreset preset);
QString layoutPresetName(LayoutPreset preset);

} // namespace thinkbench::app
