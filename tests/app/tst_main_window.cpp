// The main window: docks, layout persistence, the Runs dock against a real store, a screenshot.

#include "app/gui/main_window.h"
#include "core/store/run_store.h"
#include "widgets/annotation_panel.h"
#include "widgets/curves_panel.h"
#include "widgets/run_control.h"
#include "widgets/runs_panel.h"
#include "widgets/stage_editor.h"
#include "widgets/trace_stepper.h"

#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTranslator>
#include <QTreeWidget>
#include <QtTest>

#include "tests/tiny_recipe.h"

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

    // A recipe on a one-layer Qwen2 and the tiny tests' tokenizer and task (tests/tiny_recipe.h).
    QString writeRecipe(const QString& name, const std::string& topLevel, const std::string& stages)
    {
        static constexpr const char* kOneLayerQwen2 = R"(
[model.config]
model_type = "qwen2"
hidden_size = 32
intermediate_size = 64
num_hidden_layers = 1
num_attention_heads = 2
num_key_value_heads = 1
tie_word_embeddings = true
)";
        const QString path = dir_.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(QByteArray::fromStdString(tinyRecipe(topLevel, kOneLayerQwen2, stages))) < 0)
            qFatal("cannot write %s", qPrintable(path));
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
        const QStringList expected = {"RunsDock",    "CurvesDock", "TracesDock", "AnnotationsDock",
                                      "CompareDock", "StagesDock", "ChatDock",   "EmergenceDock"};
        QStringList names;
        for (auto* dock : window.docks())
            names << dock->objectName();
        QCOMPARE(names, expected);

        QMenu* view = nullptr;
        for (QAction* action : window.menuBar()->actions())
            if (action->menu() && action->menu()->actions().size() == expected.size() + 2) // + layouts, separator
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

    // The first window fits the screen's free area (the offscreen screen here is 800x800,
    // smaller than a 1366x768 laptop's height allows for) and the docks share the whole window:
    // no central area between them.
    void firstWindowFitsTheScreen()
    {
        QSettings().clear();
        app::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QRect available = window.screen()->availableGeometry();
        QVERIFY2(available.contains(window.frameGeometry()), qPrintable(QStringLiteral("window %1x%2 on a %3x%4 screen")
                                                                            .arg(window.frameGeometry().width())
                                                                            .arg(window.frameGeometry().height())
                                                                            .arg(available.width())
                                                                            .arg(available.height())));
        QVERIFY(!window.centralWidget());
        // The visible docks tile the window's width: left column + right column, no gap.
        const QDockWidget* runs = window.docks()[0];
        const QDockWidget* curves = window.docks()[1];
        QVERIFY(curves->geometry().left() - runs->geometry().right() < 12); // a splitter handle
        QVERIFY(window.width() - curves->geometry().right() < 12);
    }

    // View > Layout rearranges the docks for each kind of work, every panel still one click away.
    void layoutPresets()
    {
        app::MainWindow window;
        window.resize(1366, 740);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QMenu* layouts = window.findChild<QMenu*>();
        for (QAction* action : window.menuBar()->actions())
            for (QAction* item : action->menu() ? action->menu()->actions() : QList<QAction*>())
                if (item->menu() && item->menu()->actions().size() == 3)
                    layouts = item->menu();
        QVERIFY(layouts);
        const auto visibleTitles = [&] {
            QStringList titles;
            for (QDockWidget* dock : window.docks())
                if (!dock->visibleRegion().isEmpty())
                    titles << dock->objectName();
            return titles;
        };
        layouts->actions()[1]->trigger(); // Inspect traces
        QTRY_VERIFY(visibleTitles().contains("TracesDock") && visibleTitles().contains("AnnotationsDock"));
        QTRY_VERIFY(window.docks()[2]->width() > window.width() / 3); // the trace gets the room
        layouts->actions()[2]->trigger();                             // Compare models
        QTRY_VERIFY(visibleTitles().contains("CompareDock") && visibleTitles().contains("ChatDock"));
        QTRY_VERIFY(window.docks()[4]->width() > window.width() / 3);
        layouts->actions()[0]->trigger(); // Monitor a run
        QTRY_VERIFY(visibleTitles().contains("CurvesDock") && visibleTitles().contains("RunsDock"));
        for (QDockWidget* dock : window.docks()) {
            QVERIFY(!dock->isFloating());
            QVERIFY(dock->isVisible() || !window.tabifiedDockWidgets(dock).isEmpty());
        }
        QVERIFY(window.frameGeometry().height() <= 740 + 40);
    }

    void layoutIsSavedAndRestored()
    {
        int runsWidth = 0;
        {
            app::MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QTest::qWait(50); // past the layout work queued for the first event-loop turn
            window.resizeDocks({window.docks()[0]}, {300}, Qt::Horizontal); // Runs narrower
            QTest::qWait(50);
            runsWidth = window.docks()[0]->width();
            window.docks()[1]->hide(); // Curves
            window.docks()[5]->setFloating(true);
            window.close();
        }
        app::MainWindow again;
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QTest::qWait(50); // past any layout work queued for the first event-loop turn
        QCOMPARE(again.docks()[0]->width(), runsWidth);
        QVERIFY(!again.docks()[1]->isVisible());
        QVERIFY(again.docks()[5]->isFloating());
        again.docks()[1]->show();
        again.docks()[5]->setFloating(false);
        again.close();
    }

    void opensADatabaseOfAnOlderSchema()
    {
        // A database written before schema 3 (no GRPO groups, no stop requests): it opens, is
        // brought forward once, and its runs are listed.
        const QString path = makeStore("v2.sqlite", 2);
        QProcess sqlite;
        sqlite.start("sqlite3",
                     {path, "ALTER TABLE stages DROP COLUMN world_size; ALTER TABLE stages DROP COLUMN backend;"
                            "DROP TABLE stop_requests; DROP INDEX samples_by_group;"
                            "ALTER TABLE samples DROP COLUMN group_index;"
                            "ALTER TABLE samples DROP COLUMN advantage; PRAGMA user_version = 2;"});
        QVERIFY(sqlite.waitForFinished());
        QCOMPARE(sqlite.exitCode(), 0);
        app::MainWindow window;
        QVERIFY(window.openDatabase(path));
        QCOMPARE(window.runsPanel()->runCount(), 2);
        QVERIFY(window.runsPanel()->errorText().isEmpty());
        QCOMPARE(core::RunStore(path.toStdString(), core::OpenMode::ReadOnly).schemaVersion(),
                 core::RunStore::kSchemaVersion);
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
        QCOMPARE(tree->topLevelItem(0)->text(4), QString("1")); // processes
        QCOMPARE(tree->topLevelItem(0)->text(5), QString("41"));

        // Another writer adds a run: the dock picks it up without being asked.
        core::RunStore writer(path.toStdString());
        writer.createRun("live", "");
        QTRY_COMPARE_WITH_TIMEOUT(runs->runCount(), 3, 5000);
    }

    // Stop in the Runs dock's details on the run this window started goes to its child (SIGTERM
    // through Run control), not through the store.
    void runsDockStopsTheWindowsOwnRunThroughItsChild()
    {
        const QString recipe = writeRecipe("own.toml", "name = \"own\"\nseed = 3\nthreads = 1\n", R"([[stages]]
kind = "pretrain"
name = "base"
steps = 5000
batch_size = 2
seq_len = 32
corpus_size = 40
)");
        const QString db = makeStore("own.sqlite", 0);
        app::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openDatabase(db));
        auto* control = window.runControl();
        control->setCliPath(THINKBENCH_CLI);
        control->setRecipePath(recipe);
        QSignalSpy started(control, &widgets::RunControl::runStarted);
        QSignalSpy finished(control, &widgets::RunControl::finished);
        QVERIFY(control->start());
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 60000);
        auto* runs = window.runsPanel();
        QTRY_COMPARE_WITH_TIMEOUT(runs->runCount(), 1, 5000);
        runs->findChild<QTreeWidget*>()->setCurrentItem(runs->findChild<QTreeWidget*>()->topLevelItem(0));
        QVERIFY(runs->findChild<QLabel*>("runTitle")->text().contains("started here"));
        auto* stop = runs->findChild<QPushButton*>("runStop");
        QTRY_VERIFY_WITH_TIMEOUT(stop->isEnabled(), 5000);
        QTest::qWait(100); // the details laid out, as they are by the time a user clicks
        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(control->lastStatus(), QString("stopped"));
        const core::RunStore reader(db.toStdString(), core::OpenMode::ReadOnly);
        QVERIFY(!reader.stopRequested(1));
        QCOMPARE(reader.run(1)->status, std::string("stopped"));
    }

    // A run written by the training CLI shows in the curves; a click on a GRPO step opens its
    // sample in the trace stepper; the verdict given to it is in the database.
    void trainedRunFlowsThroughCurvesStepperAndAnnotation()
    {
        const QString recipe = writeRecipe("tiny.toml", "name = \"tiny\"\nseed = 3\n", R"([[stages]]
kind = "pretrain"
name = "base"
steps = 3
batch_size = 2
seq_len = 32
corpus_size = 40
[[stages]]
kind = "grpo"
name = "rl"
steps = 2
prompts_per_step = 2
group_size = 2
max_new_tokens = 16
)");
        const QString db = dir_.filePath("trained.sqlite");
        QProcess train;
        train.start(THINKBENCH_CLI, {"train", recipe, "--db", db});
        QVERIFY(train.waitForFinished(120000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());

        app::MainWindow window;
        QVERIFY(window.openDatabase(db));
        auto* curves = window.curvesPanel();
        QCOMPARE(curves->runs(), QList<qint64>{1});
        curves->setMetrics({"loss"});
        QCOMPARE(curves->pointCount(1, "loss"), 5);

        QSignalSpy opened(window.traceStepper(), &widgets::TraceStepper::traceOpened);
        emit curves->stepClicked(1, 4); // the last GRPO step
        QCOMPARE(opened.count(), 1);
        const auto sample = window.traceStepper()->trace().sampleId;
        QVERIFY(sample.has_value());
        QVERIFY(!window.traceStepper()->trace().completion.isEmpty());

        // A model this small writes no reasoning steps to label (tests/widgets/tst_trace.cpp
        // labels steps): the analyst's verdict on the trace goes to the database.
        const qint64 id = window.annotationPanel()->saveVerdict("flawed", "no reasoning yet");
        QVERIFY(id > 0);
        const core::RunStore reader(db.toStdString(), core::OpenMode::ReadOnly);
        const auto stored = reader.annotationsForSample(*sample);
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored.front().verdict, std::string("flawed"));
        QCOMPARE(stored.front().note, std::string("no reasoning yet"));
    }

    void stageEditorOffersTheBuiltInRecipes()
    {
        app::MainWindow window;
        const QStringList builtIn = window.stageEditor()->builtInRecipes();
        for (const char* name : {"demo", "r1-zero", "distill-vs-rl", "grpo-hf"})
            QVERIFY2(builtIn.contains(name), qPrintable(builtIn.join(' ')));
        QVERIFY(window.stageEditor()->isValid());
        QVERIFY(window.stageEditor()->stageCount() > 5); // the demo is open
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
        QVERIFY(bar && bar->isVisibleTo(&window));
        QVERIFY(bar->text().contains("notes.txt"));
    }

    void chineseTranslationIsComplete()
    {
        QTranslator translator;
        QVERIFY(translator.load(QLocale(QLocale::Chinese, QLocale::China), "thinkbench", "_", ":/i18n"));
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
        window.curvesPanel()->waitForData(); // the curves are read off the GUI thread
        const QImage image = window.grab().toImage();
        QVERIFY(image.width() >= 1000);
        QVERIFY(image.save(out + "/main_window.png"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
