// thinkbench: the desktop workbench. Usage: thinkbench [--lang zh_CN] [RUN_DATABASE]

#include "app/gui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("ThinkBench");
    QApplication::setApplicationName("ThinkBench");
    QApplication::setApplicationVersion(THINKBENCH_VERSION_STRING);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "A workbench for reasoning models in the style of DeepSeek-R1"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption lang("lang", QApplication::translate("main", "Interface language, e.g. zh_CN"),
                            "locale");
    parser.addOption(lang);
    parser.addPositionalArgument("database",
                                 QApplication::translate("main", "Run database to open"));
    parser.process(app);

    const QLocale locale = parser.isSet(lang) ? QLocale(parser.value(lang)) : QLocale::system();
    QTranslator ours, qt;
    if (ours.load(locale, "thinkbench", "_", ":/i18n"))
        QApplication::installTranslator(&ours);
    if (qt.load(locale, "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qt);

    thinkbench::app::MainWindow window;
    if (!parser.positionalArguments().isEmpty())
        window.openDatabase(parser.positionalArguments().first());
    window.show();
    return QApplication::exec();
}
