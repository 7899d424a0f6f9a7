// The stage editor (form and TOML in sync both ways, stage list edits, parse errors that keep the
// form, built-in recipes, save) and run control driving the real `thinkbench-cli train` on a tiny
// dense model: progress events, finish, stop and resume (on one process and on two), and a child
// that fails or crashes.

#include "core/process_tree.h"
#include "core/store/run_store.h"
#include "widgets/run_control.h"
#include "widgets/stage_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <csignal>

using namespace thinkbench;
using thinkbench::widgets::RunControl;
using thinkbench::widgets::StageEditor;

namespace {

// A one-layer dense Qwen2 small enough that a few CPU steps take well under a second.
QString tinyRecipe(int steps)
{
    return QStringLiteral(R"(name = "tiny-dense"
seed = 3
device = "cpu"
threads = 1

[model.config]
model_type = "qwen2"
hidden_size = 32
intermediate_size = 64
num_hidden_layers = 1
num_attention_heads = 2
num_key_value_heads = 1
max_position_embeddings = 256
tie_word_embeddings = true

[tokenizer]
vocab_size = 300
chat_template = "r1_zero"

[[tasks]]
name = "arithmetic"
options = { digits = "1", ops = "+" }

[[stages]]
kind = "pretrain"
name = "base"
steps = %1
batch_size = 2
seq_len = 48
corpus_size = 40
)")
        .arg(steps);
}

QStringList stageKinds(const core::Recipe& recipe)
{
    QStringList kinds;
    for (const auto& stage : recipe.stages)
        kinds << QString::fromStdString(std::string(core::stageKindName(stage.kind)));
    return kinds;
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QString& text)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(text.toUtf8());
    return path;
}

} // namespace

class StageEditorTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings under ~/.qttest, not the user's
        QSettings().remove(QStringLiteral("training/processes"));
    }

    void formShowsTypedFields()
    {
        StageEditor editor;
        QVERIFY2(editor.setRecipeText(tinyRecipe(4)), qPrintable(editor.errorText()));
        QCOMPARE(editor.stageCount(), 1);
        QCOMPARE(editor.currentStage(), 0);
        auto* steps = qobject_cast<QSpinBox*>(editor.fieldEditor(QStringLiteral("steps")));
        QVERIFY(steps);
        QCOMPARE(steps->value(), 4);
        // Fields the file leaves out show their defaults, nested groups included.
        auto* lr = qobject_cast<QLineEdit*>(editor.fieldEditor(QStringLiteral("optimizer.lr")));
        QVERIFY(lr);
        QCOMPARE(lr->text().toDouble(), 3e-3);
        QVERIFY(qobject_cast<QSpinBox*>(editor.fieldEditor(QStringLiteral("checkpoint_every"))));
        // A choice offers exactly the engine's names.
        auto* schedule = qobject_cast<QComboBox*>(editor.fieldEditor(QStringLiteral("optimizer.schedule")));
        QVERIFY(schedule);
        QStringList offered, names;
        for (int i = 0; i < schedule->count(); ++i)
            offered << schedule->itemText(i);
        for (const auto& entry : core::enumNames(core::LrSchedule{}))
            names << QString::fromUtf8(entry.name.data(), qsizetype(entry.name.size()));
        QCOMPARE(offered, names);
        QCOMPARE(schedule->currentText(), QStringLiteral("cosine"));
    }

    void formEditsRewriteToml()
    {
        StageEditor editor;
        QVERIFY(editor.setRecipeText(tinyRecipe(4)));
        QSignalSpy changed(&editor, &StageEditor::recipeChanged);
        qobject_cast<QSpinBox*>(editor.fieldEditor(QStringLiteral("steps")))->setValue(7);
        QVERIFY2(editor.tomlText().contains(QStringLiteral("steps = 7")), qPrintable(editor.tomlText()));
        QCOMPARE(editor.recipe().stages[0].as<core::PretrainSettings>().steps, 7);
        QCOMPARE(changed.count(), 1);

        auto* lr = qobject_cast<QLineEdit*>(editor.fieldEditor(QStringLiteral("optimizer.lr")));
        lr->selectAll();
        QTest::keyClicks(lr, QStringLiteral("0.02"));
        QCOMPARE(editor.recipe().stages[0].as<core::PretrainSettings>().optimizer.lr, 0.02);

        auto* schedule = qobject_cast<QComboBox*>(editor.fieldEditor(QStringLiteral("optimizer.schedule")));
        schedule->setFocus();
        QTest::keyClick(schedule, Qt::Key_Down); // cosine -> constant
        QCOMPARE(editor.recipe().stages[0].as<core::PretrainSettings>().optimizer.schedule, core::LrSchedule::Constant);
        QVERIFY2(editor.tomlText().contains(QStringLiteral("schedule = \"constant\"")), qPrintable(editor.tomlText()));

        auto* name = qobject_cast<QLineEdit*>(editor.fieldEditor(QStringLiteral("name")));
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("warmup"));
        QCOMPARE(editor.recipe().stages[0].name, std::string("warmup"));
        QVERIFY(editor.isValid());
        // The rewritten text is a recipe that parses to the same thing.
        QCOMPARE(core::toToml(core::parseRecipe(editor.tomlText().toStdString(), "x.toml")),
                 core::toToml(editor.recipe()));
    }

    void stageListEditsShowInToml()
    {
        StageEditor editor;
        QVERIFY(editor.setRecipeText(tinyRecipe(4)));
        editor.addStage(core::StageKind::Sft);
        QCOMPARE(editor.stageCount(), 2);
        QCOMPARE(editor.currentStage(), 1);
        QVERIFY(editor.tomlText().contains(QStringLiteral("kind = \"sft\"")));
        QCOMPARE(stageKinds(editor.recipe()), (QStringList{"pretrain", "sft"}));
        QVERIFY(qobject_cast<QSpinBox*>(editor.fieldEditor(QStringLiteral("examples"))));

        editor.addStage(core::StageKind::Eval);
        QCOMPARE(stageKinds(editor.recipe()), (QStringList{"pretrain", "sft", "eval"}));
        editor.moveStage(2, 1);
        QCOMPARE(stageKinds(editor.recipe()), (QStringList{"pretrain", "eval", "sft"}));
        QCOMPARE(editor.currentStage(), 1);
        const QString text = editor.tomlText();
        QVERIFY(text.indexOf(QStringLiteral("kind = \"eval\"")) < text.indexOf(QStringLiteral("kind = \"sft\"")));

        editor.setCurrentStage(0);
        editor.addStage(core::StageKind::Sft); // a second sft gets a name of its own
        QCOMPARE(editor.recipe().stages[1].name, std::string("sft-2"));
        editor.removeStage(1);
        editor.removeStage(1);
        QCOMPARE(stageKinds(editor.recipe()), (QStringList{"pretrain", "sft"}));
        QVERIFY(!editor.tomlText().contains(QStringLiteral("kind = \"eval\"")));
        QVERIFY(editor.isValid());
    }

    void badTomlShowsErrorAndKeepsForm()
    {
        StageEditor editor;
        QVERIFY(editor.setRecipeText(tinyRecipe(4)));
        auto* text = editor.findChild<QPlainTextEdit*>();
        QVERIFY(text);
        QString broken = editor.tomlText();
        broken.replace(QStringLiteral("steps = 4"), QStringLiteral("steps = \"many\""));
        text->setPlainText(broken);
        QTRY_VERIFY(!editor.errorText().isEmpty());
        // file:line:column: key: message
        QVERIFY2(editor.errorText().contains(QRegularExpression(
                     QStringLiteral("recipe\\.toml:\\d+:\\d+: stages\\[0\\]\\.steps: must be an integer"))),
                 qPrintable(editor.errorText()));
        QVERIFY(!editor.isValid());
        auto* steps = qobject_cast<QSpinBox*>(editor.fieldEditor(QStringLiteral("steps")));
        QVERIFY(steps);
        QCOMPARE(steps->value(), 4);
        QVERIFY(!editor.findChild<QScrollArea*>()->isEnabled());
        QCOMPARE(editor.recipe().stages[0].as<core::PretrainSettings>().steps, 4);

        // A syntax error names its line too.
        text->setPlainText(tinyRecipe(4).replace(QStringLiteral("[[stages]]"), QStringLiteral("[[stages]")));
        QTRY_VERIFY(editor.errorText().contains(QStringLiteral("recipe.toml:24:")));

        // Fixed: the form follows the text again.
        text->setPlainText(tinyRecipe(9));
        QTRY_VERIFY(editor.errorText().isEmpty());
        QVERIFY(editor.isValid());
        QCOMPARE(qobject_cast<QSpinBox*>(editor.fieldEditor(QStringLiteral("steps")))->value(), 9);
        QVERIFY(editor.findChild<QScrollArea*>()->isEnabled());
    }

    void opensBuiltInsAndSaves()
    {
        StageEditor editor;
        editor.setRecipeDirectory(THINKBENCH_SOURCE_DIR "/resources/recipes");
        QVERIFY(editor.builtInRecipes().contains(QStringLiteral("demo")));
        QVERIFY2(editor.openRecipe(THINKBENCH_SOURCE_DIR "/resources/recipes/demo.toml"),
                 qPrintable(editor.errorText()));
        QVERIFY(editor.stageCount() >= 5);
        QCOMPARE(editor.recipe().name, std::string("micro-r1"));

        const QString path = dir_.filePath(QStringLiteral("saved.toml"));
        QSignalSpy saved(&editor, &StageEditor::recipeSaved);
        QVERIFY(editor.saveRecipe(path));
        QCOMPARE(saved.count(), 1);
        StageEditor again;
        QVERIFY(again.openRecipe(path));
        QCOMPARE(again.stageCount(), editor.stageCount());
        QCOMPARE(again.tomlText(), editor.tomlText());
        QVERIFY(!again.openRecipe(dir_.filePath(QStringLiteral("missing.toml"))));
    }

    void rendersToPng()
    {
        StageEditor editor;
        editor.setRecipeDirectory(THINKBENCH_SOURCE_DIR "/resources/recipes");
        QVERIFY(editor.openRecipe(THINKBENCH_SOURCE_DIR "/resources/recipes/demo.toml"));
        editor.resize(1200, 700);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        for (int i = 0; i < editor.stageCount(); ++i)
            if (editor.recipe().stages[size_t(i)].kind == core::StageKind::Grpo) {
                editor.setCurrentStage(i);
                break;
            }
        const QString dir = THINKBENCH_BINARY_DIR "/screenshots"; // copied to docs/screenshots by hand
        QDir().mkpath(dir);
        QVERIFY(editor.grab().save(dir + QStringLiteral("/stage_editor.png")));
    }

    void runControlTrainsTinyRecipe()
    {
        const QString db = dir_.filePath(QStringLiteral("train.sqlite"));
        RunControl control;
        control.setCliPath(THINKBENCH_CLI);
        control.setDatabasePath(db);
        control.setRecipePath(writeFile(dir_, QStringLiteral("tiny.toml"), tinyRecipe(4)));
        QSignalSpy started(&control, &RunControl::runStarted);
        QSignalSpy steps(&control, &RunControl::progress);
        QSignalSpy finished(&control, &RunControl::finished);
        QVERIFY(control.start());
        QVERIFY(control.isRunning());
        QVERIFY(!control.start()); // one run at a time
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY2(control.lastStatus() == QStringLiteral("finished"),
                 qPrintable(control.statusText() + "\n" + control.stderrTail()));
        QCOMPARE(started.count(), 1);
        QCOMPARE(steps.count(), 4);
        QCOMPARE(steps.last().at(3).toLongLong(), 4); // stage total
        QVERIFY(steps.last().at(4).toJsonObject().contains(QStringLiteral("loss")));
        QVERIFY(!control.isRunning());

        const qint64 run = started.first().first().toLongLong();
        core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
        QCOMPARE(QString::fromStdString(store.run(run)->status), QStringLiteral("finished"));
        QCOMPARE(store.series(run, "loss").size(), size_t(4));
    }

    void runControlStopsAndResumes()
    {
        const QString db = dir_.filePath(QStringLiteral("stop.sqlite"));
        RunControl control;
        control.setCliPath(THINKBENCH_CLI);
        control.setDatabasePath(db);
        control.setRecipePath(writeFile(dir_, QStringLiteral("long.toml"), tinyRecipe(400)));
        QSignalSpy finished(&control, &RunControl::finished);
        QSignalSpy steps(&control, &RunControl::progress);
        // Stop as soon as training is under way; the CLI checkpoints and reports "stopped".
        connect(
            &control, &RunControl::progress, &control, [&control] { control.stop(); }, Qt::SingleShotConnection);
        QVERIFY(control.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY2(control.lastStatus() == QStringLiteral("stopped"),
                 qPrintable(control.statusText() + "\n" + control.stderrTail()));
        QVERIFY(steps.count() < 400);
        const qint64 run = control.currentRun();
        QVERIFY(run > 0);
        QCOMPARE(control.resumeRun(), run);

        QVERIFY(control.resume());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 180000);
        QVERIFY2(control.lastStatus() == QStringLiteral("finished"),
                 qPrintable(control.statusText() + "\n" + control.stderrTail()));
        core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
        QCOMPARE(store.series(run, "loss").size(), size_t(400));
    }

    void processesAreRemembered()
    {
        RunControl first;
        QCOMPARE(first.processes(), 1);
        auto* box = first.findChild<QSpinBox*>(QStringLiteral("processes"));
        QVERIFY(box);
        QCOMPARE(box->maximum(), std::max(1, QThread::idealThreadCount()));
        QVERIFY(box->toolTip().contains(QStringLiteral("share of every step's batch")));
        if (box->maximum() < 2)
            QSKIP("one core: a second process cannot be chosen");
        box->setValue(2);
        RunControl next;
        QCOMPARE(next.processes(), 2);
        QSettings().remove(QStringLiteral("training/processes"));
    }

    // Start on two processes (`train --nproc 2`): rank 0's progress arrives, Stop reaches both
    // ranks (the launcher passes SIGTERM on), none is left, and Resume continues on two.
    void runControlStopsAndResumesTwoProcesses()
    {
        if (QThread::idealThreadCount() < 2)
            QSKIP("one core: a second process cannot be chosen");
        const QString db = dir_.filePath(QStringLiteral("ranks.sqlite"));
        RunControl control;
        control.setCliPath(THINKBENCH_CLI);
        control.setDatabasePath(db);
        control.setProcesses(2);
        // Each rank takes one of the step's two micro-batches.
        control.setRecipePath(writeFile(dir_, QStringLiteral("ranks.toml"),
                                        tinyRecipe(300) + QStringLiteral("optimizer.grad_accumulation = 2\n")));
        QSignalSpy finished(&control, &RunControl::finished);
        QSignalSpy steps(&control, &RunControl::progress);
        std::vector<int64_t> ranks;
        connect(
            &control, &RunControl::progress, &control,
            [&] {
                ranks = core::descendantProcesses(QCoreApplication::applicationPid());
                control.stop();
            },
            Qt::SingleShotConnection);
        QVERIFY(control.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY2(control.lastStatus() == QStringLiteral("stopped"),
                 qPrintable(control.statusText() + "\n" + control.stderrTail()));
        QVERIFY(steps.count() < 300);
        QCOMPARE(ranks.size(), size_t(3)); // the launcher and its two ranks
        for (int64_t pid : ranks)
            QVERIFY2(::kill(pid_t(pid), 0) != 0, qPrintable(QStringLiteral("pid %1 still runs").arg(pid)));
        const qint64 run = control.currentRun();
        {
            core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
            QCOMPARE(QString::fromStdString(store.run(run)->status), QStringLiteral("stopped"));
            QCOMPARE(store.stages(run).at(0).worldSize, 2);
        }

        QVERIFY(control.resume());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 180000);
        QVERIFY2(control.lastStatus() == QStringLiteral("finished"),
                 qPrintable(control.statusText() + "\n" + control.stderrTail()));
        {
            core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
            QCOMPARE(store.series(run, "loss").size(), size_t(300));
            QCOMPARE(store.stages(run).at(0).backend, std::string("gloo"));
        }

        // Stop twice (Kill): the ranks are killed with the launcher (not left to its death signal,
        // SIGTERM, on which they would checkpoint and mark the run stopped).
        connect(
            &control, &RunControl::progress, &control,
            [&] {
                ranks = core::descendantProcesses(QCoreApplication::applicationPid());
                control.stop();
                control.stop();
            },
            Qt::SingleShotConnection);
        QVERIFY(control.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 120000);
        QCOMPARE(control.lastStatus(), QStringLiteral("stopped"));
        QVERIFY2(control.statusText().contains(QStringLiteral("killed")), qPrintable(control.statusText()));
        QCOMPARE(ranks.size(), size_t(3));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::none_of(ranks.begin(), ranks.end(), [](qint64 pid) { return ::kill(pid_t(pid), 0) == 0; }), 5000);
        // Rank 0 did not get to mark the run stopped, as it would after a SIGTERM.
        core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
        QCOMPARE(QString::fromStdString(store.run(control.currentRun())->status), QStringLiteral("running"));
    }

    void runControlSurvivesAFailingChild()
    {
        const QString failing =
            writeFile(dir_, QStringLiteral("fail.sh"),
                      QStringLiteral("#!/bin/sh\necho 'first line' >&2\necho 'out of memory' >&2\nexit 3\n"));
        const QString crashing =
            writeFile(dir_, QStringLiteral("crash.sh"),
                      QStringLiteral("#!/bin/sh\necho '{\"event\": \"stage_begin\", \"run\": 5, \"stage\": \"base\", "
                                     "\"stage_index\": 0, \"kind\": \"pretrain\", \"total\": 3}'\nkill -SEGV $$\n"));
        for (const QString& script : {failing, crashing})
            QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

        RunControl control;
        control.setDatabasePath(dir_.filePath(QStringLiteral("fail.sqlite")));
        control.setRecipePath(writeFile(dir_, QStringLiteral("tiny2.toml"), tinyRecipe(4)));
        QSignalSpy finished(&control, &RunControl::finished);
        control.setCliPath(failing);
        QVERIFY(control.start());
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(control.lastStatus(), QStringLiteral("failed"));
        QVERIFY2(control.statusText().contains(QStringLiteral("exit code 3")), qPrintable(control.statusText()));
        QVERIFY(control.statusText().contains(QStringLiteral("out of memory")));
        QVERIFY(!control.isRunning());

        QSignalSpy started(&control, &RunControl::runStarted);
        control.setCliPath(crashing);
        QVERIFY(control.start());
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(control.lastStatus(), QStringLiteral("crashed"));
        QCOMPARE(started.count(), 1);
        QCOMPARE(control.resumeRun(), 5);

        control.setCliPath(dir_.filePath(QStringLiteral("no-such-program")));
        QVERIFY(!control.start());
        QVERIFY(control.statusText().contains(QStringLiteral("no-such-program")));

        control.setRecipePath(writeFile(dir_, QStringLiteral("bad.toml"), QStringLiteral("name = \"x\"\n")));
        control.setCliPath(THINKBENCH_CLI);
        QVERIFY(!control.start());
        QVERIFY2(control.statusText().contains(QStringLiteral("bad.toml")), qPrintable(control.statusText()));
    }

private:
    QTemporaryDir dir_;
};

QTEST_MAIN(StageEditorTest)
#include "tst_stage_editor.moc"
