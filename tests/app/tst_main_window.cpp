// The main window: docks, layout persistence, the Runs dock against a real store, a screenshot.

#include "app/gui/main_window.h"
#include "core/store/run_store.h"
#include "widgets/runs_panel.h"

#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QTranslator>
#include <QTreeWidget>
#include <QtTest>

using namespace thinkbench;

class TestMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    QString makeStore(const QString& name, int runs)
    {
        const QString path = dir_.filePath(name);
        core::RunStore store(path.toStdString());
        for (int i = 0; i < runs; ++i) {
            const int64_t run = store.createRun("run-" + std::to_string(i), "name = 'x'");
            store.beginStage(run, 0, "grpo", "rl", "{}");
            store.appendMetrics({{run, 0, 41, "reward/mean", 0.5, 1}});
        }
        return path;
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("ThinkBenchTest");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.filePath("settings"));
        QSettings().clear();
    }

    void docksHaveUniqueNamesAndMenuToggles()
    {
        app::MainWindow window;
        const QStringList expected = {"RunsDock", "CurvesDock", "TracesDock", "AnnotationsDock",
                                      "CompareDock", "StagesDock", "ChatDock"};
        QStringList names;
        for (auto* dock : window.docks())
            names << dock->objectName();
        QCOMPARE(names, expected);

        QMenu* view = nullptr;
        for (QAction* action : window.menuBar()->actions())
            if (action->menu() && action->menu()->actions().size() == expected.size())
                view = action->menu();
        QVERIFY(view);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QDockWidget* chat = window.docks().last();
        QAction* toggle = chat->toggleViewAction();
        QVERIFY(view->actions().contains(toggle));
        const bool wasVisible = chat->isVisible();
        toggle->trigger();
        QCOMPARE(chat->isVisible(), !wasVisible);
    }

    void layoutIsSavedAndRestored()
    {
        {
            app::MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.docks()[1]->hide(); // Curves
            window.docks()[5]->setFloating(true);
            window.close();
        }
        app::MainWindow again;
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(!again.docks()[1]->isVisible());
        QVERIFY(again.docks()[5]->isFloating());
        again.docks()[1]->show();
        again.docks()[5]->setFloating(false);
        again.close();
    }

    void runsDockListsRunsAndFollowsWrites()
    {
        const QString path = makeStore("runs.sqlite", 2);
        app::MainWindow window;
        QVERIFY(window.openDatabase(path));
        auto* runs = window.runsPanel();
        QCOMPARE(runs->runCount(), 2);
        auto* tree = runs->findChild<QTreeWidget*>();
        QCOMPARE(tree->topLevelItem(0)->text(1), QString("run-0"));
        QCOMPARE(tree->topLevelItem(0)->text(4), QString("41"));

        // Another writer adds a run: the dock picks it up without being asked.
        core::RunStore writer(path.toStdString());
        writer.createRun("live", "");
        QTRY_COMPARE_WITH_TIMEOUT(runs->runCount(), 3, 5000);
    }

    void badFileShowsAClearMessage()
    {
        const QString path = dir_.filePath("notes.txt");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a database at all, just some text that is long enough to have a header");
        file.close();
        app::MainWindow window;
        QSignalSpy errors(window.runsPanel(), &widgets::RunsPanel::databaseError);
        QVERIFY(!window.openDatabase(path));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(window.runsPanel()->errorText().contains("not a ThinkBench run database"),
                 qPrintable(window.runsPanel()->errorText()));
        auto* bar = window.findChild<QLabel*>("messageBar");
        QVERIFY(bar && !bar->isHidden());
        QVERIFY(bar->text().contains("notes.txt"));
    }

    void chineseTranslationIsComplete()
    {
        QTranslator translator;
        QVERIFY(translator.load(QLocale(QLocale::Chinese, QLocale::China), "thinkbench", "_",
                                ":/i18n"));
        QCoreApplication::installTranslator(&translator);
        {
            app::MainWindow window;
            QCOMPARE(window.docks().first()->windowTitle(), QString::fromUtf8("运行"));
            QCOMPARE(window.docks()[1]->windowTitle(), QString::fromUtf8("曲线"));
        }
        QCoreApplication::removeTranslator(&translator);
        QFile ts(THINKBENCH_SOURCE_DIR "/translations/thinkbench_zh_CN.ts");
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QVERIFY2(!ts.readAll().contains("type=\"unfinished\""), "untranslated strings remain");
    }

    void rendersToPng()
    {
        const QString path = makeStore("shot.sqlite", 3);
        QSettings().clear(); // the default layout
        app::MainWindow window;
        window.resize(1280, 800);
        QVERIFY(window.openDatabase(path));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString out = THINKBENCH_BINARY_DIR "/screenshots";
        QDir().mkpath(out);
        const QImage image = window.grab().toImage();
        QVERIFY(image.width() >= 1000);
        QVERIFY(image.save(out + "/main_window.png"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
