#include "app/gui/layout_presets.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QTimer>

#include <functional>

namespace thinkbench::app {

namespace {

// Shares of the window's width or height, in pixels.
QList<int> shares(int total, std::initializer_list<double> parts)
{
    QList<int> out;
    for (double part : parts)
        out << int(total * part);
    return out;
}

// `behind` become tabs behind `front`, which stays raised.
void tabBehind(QMainWindow& window, QDockWidget* front, std::initializer_list<QDockWidget*> behind)
{
    QDockWidget* last = front;
    for (QDockWidget* dock : behind) {
        window.tabifyDockWidget(last, dock);
        last = dock;
    }
    front->raise();
}

} // namespace

void applyLayoutPreset(QMainWindow& window, const PanelDocks& d, LayoutPreset preset)
{
    for (QDockWidget* dock : {d.runs, d.curves, d.traces, d.annotations, d.compare, d.stages, d.chat, d.emergence}) {
        dock->setFloating(false);
        window.removeDockWidget(dock);
        dock->show(); // removeDockWidget hides it
    }
    std::function<void()> sizeDocks;
    switch (preset) {
    case LayoutPreset::MonitorRun:
        window.addDockWidget(Qt::LeftDockWidgetArea, d.runs);
        window.splitDockWidget(d.runs, d.stages, Qt::Vertical);
        window.addDockWidget(Qt::RightDockWidgetArea, d.curves);
        window.splitDockWidget(d.curves, d.traces, Qt::Vertical);
        tabBehind(window, d.traces, {d.annotations, d.compare, d.chat, d.emergence});
        sizeDocks = [&window, d] {
            window.resizeDocks({d.runs, d.curves}, shares(window.width(), {0.34, 0.66}), Qt::Horizontal);
            window.resizeDocks({d.runs, d.stages}, shares(window.height(), {0.3, 0.7}), Qt::Vertical);
            window.resizeDocks({d.curves, d.traces}, shares(window.height(), {0.55, 0.45}), Qt::Vertical);
        };
        break;
    case LayoutPreset::InspectTraces:
        window.addDockWidget(Qt::LeftDockWidgetArea, d.runs);
        window.splitDockWidget(d.runs, d.curves, Qt::Vertical);
        tabBehind(window, d.runs, {d.stages});
        tabBehind(window, d.curves, {d.emergence});
        window.addDockWidget(Qt::RightDockWidgetArea, d.traces);
        window.splitDockWidget(d.traces, d.annotations, Qt::Horizontal);
        tabBehind(window, d.annotations, {d.compare, d.chat});
        sizeDocks = [&window, d] {
            window.resizeDocks({d.runs, d.traces, d.annotations}, shares(window.width(), {0.25, 0.47, 0.28}),
                               Qt::Horizontal);
            window.resizeDocks({d.runs, d.curves}, shares(window.height(), {0.45, 0.55}), Qt::Vertical);
        };
        break;
    case LayoutPreset::CompareModels:
        window.addDockWidget(Qt::LeftDockWidgetArea, d.runs);
        window.splitDockWidget(d.runs, d.stages, Qt::Vertical);
        window.addDockWidget(Qt::RightDockWidgetArea, d.compare);
        window.splitDockWidget(d.compare, d.chat, Qt::Horizontal);
        window.splitDockWidget(d.chat, d.traces, Qt::Vertical);
        tabBehind(window, d.traces, {d.curves, d.annotations, d.emergence});
        sizeDocks = [&window, d] {
            window.resizeDocks({d.runs, d.compare, d.chat}, shares(window.width(), {0.2, 0.5, 0.3}), Qt::Horizontal);
            window.resizeDocks({d.chat, d.traces}, shares(window.height(), {0.55, 0.45}), Qt::Vertical);
        };
        break;
    }
    // Once the layout has placed the new arrangement: sizes given before that act on the old one.
    sizeDocks();
    QTimer::singleShot(0, &window, sizeDocks);
}

QString layoutPresetName(LayoutPreset preset)
{
    switch (preset) {
    case LayoutPreset::MonitorRun:
        return QCoreApplication::translate("thinkbench::app::MainWindow", "Monitor a run");
    case LayoutPreset::InspectTraces:
        return QCoreApplication::translate("thinkbench::app::MainWindow", "Inspect traces");
    case LayoutPreset::CompareModels:
        return QCoreApplication::translate("thinkbench::app::MainWindow", "Compare models");
    }
    return {};
}

} // namespace thinkbench::app
