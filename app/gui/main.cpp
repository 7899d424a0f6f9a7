// thinkbench: the desktop workbench. Usage: thinkbench [--lang zh_CN] [RUN_DATABASE]
// Headless pictures for reports (QT_QPA_PLATFORM=offscreen on a machine without a display):
//   thinkbench RUN_DATABASE --plot out.png --metrics a,b [--run N]   a run's curves
//   thinkbench RUN_DATABASE --screenshot out.png                       the main window

#include "app/gui/main_window.h"
#include "core/cuda/cuda_support.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "inference/threads.h"
#include "widgets/curves_panel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <cstdio>

int main(int argc, char** argv)
{
    thinkbench::inference::restartWithShortOpenMpSpin(argv);
    thinkbench::core::cudaStatus(); // before anything asks LibTorch about CUDA (cuda_support.h)
    QApplication app(argc, argv);
    QApplication::setOrganizationName("ThinkBench");
    QApplication::setApplicationName("ThinkBench");
    QApplication::setApplicationVersion(THINKBENCH_VERSION_STRING);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "A workbench for reasoning models in the style of DeepSeek-R1"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption lang("lang", QApplication::translate("main", "Interface language, e.g. zh_CN"), "locale");
    parser.addOption(lang);
    QCommandLineOption plot("plot", QApplication::translate("main", "Write the curves of a run to a PNG and exit"),
                            "png");
    namespace metric = thinkbench::core::metric;
    const std::string plotted = std::string(metric::kRewardMean) + ',' + std::string(metric::kAccuracy);
    QCommandLineOption metrics("metrics", QApplication::translate("main", "Metrics to plot, comma-separated"), "keys",
                               QString::fromStdString(plotted));
    QCommandLineOption run("run", QApplication::translate("main", "Run to plot (default: the latest)"), "id");
    QCommandLineOption screenshot("screenshot",
                                  QApplication::translate("main", "Write the main window to a PNG and exit"), "png");
    parser.addOptions({plot, metrics, run, screenshot});
    parser.addPositionalArgument("database", QApplication::translate("main", "Run database to open"));
    parser.process(app);

    const QLocale locale = parser.isSet(lang) ? QLocale(parser.value(lang)) : QLocale::system();
    QTranslator ours, qt;
    if (ours.load(locale, "thinkbench", "_", ":/i18n"))
        QApplication::installTranslator(&ours);
    if (qt.load(locale, "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qt);

    if (parser.isSet(plot)) {
        if (parser.positionalArguments().isEmpty())
            parser.showHelp(1);
        try {
            thinkbench::core::RunStore store(parser.positionalArguments().first().toStdString(),
                                             thinkbench::core::OpenMode::ReadOnly);
            qint64 shown = parser.value(run).toLongLong();
            if (!parser.isSet(run)) {
                const auto all = store.listRuns(); // ordered by id: the latest is last
                shown = all.empty() ? 0 : all.back().id;
            }
            thinkbench::widgets::CurvesPanel curves;
            curves.setStore(&store);
            curves.setRuns({shown});
            curves.setMetrics(parser.value(metrics).split(',', Qt::SkipEmptyParts));
            if (!curves.exportPng(parser.value(plot), 1200, 600)) {
                std::fprintf(stderr, "cannot write %s\n", qPrintable(parser.value(plot)));
                return 1;
            }
            curves.setStore(nullptr);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 1;
        }
        return 0;
    }

    thinkbench::app::MainWindow window;
    if (!parser.positionalArguments().isEmpty())
        window.openDatabase(parser.positionalArguments().first());
    if (parser.isSet(screenshot)) {
        window.resize(1400, 900);
        window.show();
        QApplication::processEvents();
        window.curvesPanel()->waitForData(); // the curves are read off this thread
        return window.grab().save(parser.value(screenshot)) ? 0 : 1;
    }
    window.show();
    return QApplication::exec();
}
