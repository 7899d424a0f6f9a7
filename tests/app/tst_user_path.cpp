// The user path end to end, in a real X server with the real `thinkbench` executable: a finished
// tiny run (trained until its traces have the R1 format, so they have steps to label) is opened, picked, its GRPO
// charts shown, a point clicked, the group view opened, a step labelled with Ctrl+1 and the annotations exported; the
// JSONL must hold the label. The window is driven by tests/app/user_path.py through the accessibility tree and xdotool,
// and a screenshot of every step lands in user_path_shots/ beside the test.

#include <nlohmann/json.hpp>

#include <QtTest>

#include "tests/tiny_recipe.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

const std::string kRecipe = tinyRecipe(R"(
name = "user-path"
seed = 3
)",
                                       kTinyMoeModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 400
batch_size = 8
seq_len = 96
corpus_size = 400
optimizer = { lr = 3e-3 }

[[stages]]
kind = "sft"
name = "cold-start"
examples = 64
steps = 150
batch_size = 8
max_seq_len = 400

[[stages]]
kind = "grpo"
name = "rl"
steps = 6
prompts_per_step = 2
group_size = 4
max_new_tokens = 64
beta = 0.01
)");

// What the driver needs beside the executable: an X server, the accessibility bus and xdotool.
QString missingTool()
{
    for (const char* tool : {"Xvfb", "xdotool", "dbus-run-session", "xwd", "xwdtopnm", "pnmtopng"})
        if (QStandardPaths::findExecutable(tool).isEmpty())
            return tool;
    if (!QFile::exists("/usr/libexec/at-spi-bus-launcher"))
        return "at-spi2-core";
    QProcess python;
    python.start("/usr/bin/python3", {"-c", "import pyatspi"});
    if (!python.waitForFinished() || python.exitCode() != 0)
        return "python3-pyatspi";
    return {};
}

bool run(const QString& program, const QStringList& arguments, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        qWarning() << program << "did not finish within" << timeoutMs / 1000 << "s";
        return false;
    }
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

} // namespace

class TestUserPath : public QObject {
    Q_OBJECT

private slots:
    void openPickClickLabelExport()
    {
        if (const QString tool = missingTool(); !tool.isEmpty())
            QSKIP(qPrintable("needs " + tool + " (scripts/setup installs it)"));
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        std::ofstream(root / "tiny.toml") << kRecipe;
        const QString db = QString::fromStdString((root / "runs.sqlite").string());
        QVERIFY(run(THINKBENCH_CLI,
                    {"train", QString::fromStdString((root / "tiny.toml").string()), "--db", db, "--run-dir",
                     QString::fromStdString((root / "out").string())},
                    600'000));

        const QString exported = QString::fromStdString((root / "labels.jsonl").string());
        const QString shots = QStringLiteral(THINKBENCH_BINARY_DIR "/tests/user_path_shots");
        QDir(shots).removeRecursively();
        QVERIFY(run("dbus-run-session",
                    {"--", "/usr/bin/python3", THINKBENCH_SOURCE_DIR "/tests/app/user_path.py", "--app",
                     THINKBENCH_GUI_APP, "--db", db, "--run", "user-path", "--export", exported, "--shots", shots},
                    300'000));

        std::ifstream in(exported.toStdString());
        bool labelled = false;
        for (std::string line; std::getline(in, line);) {
            const auto record = nlohmann::json::parse(line);
            labelled = labelled || record.dump().find("correct step") != std::string::npos;
        }
        QVERIFY2(labelled, "the exported JSONL holds no 'correct step' label");
        QVERIFY(QDir(shots).entryList({"*.png"}).size() >= 6);
    }
};

QTEST_GUILESS_MAIN(TestUserPath)
#include "tst_user_path.moc"
