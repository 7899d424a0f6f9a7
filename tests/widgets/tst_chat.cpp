// The chat panel against a tiny random-weight model saved here as a Hugging Face folder (a BPE
// tokenizer trained on R1-style text, DeepSeek-R1 chat tokens): the model loads on its worker
// thread, replies stream in over two turns with reasoning apart from the answer and tok/s shown,
// Stop cancels mid-stream, Browse… opens a .gguf file or a folder, a bad folder's error names the
// file, and a screenshot.

// Torch before Qt: Qt's `slots` macro breaks torch headers.
#include <torch/torch.h>

#include "core/error.h"
#include "core/model/safetensors.h"
#include "inference/model_folder.h"
#include "widgets/chat_panel.h"
#include "widgets/common/reasoning_section.h"
#include "widgets/common/stream_text.h"

#include <QApplication>
#include <QFileDialog>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QtTest>

#include "tests/widgets/tiny_model.h"

using namespace thinkbench;
using widgets::ChatPanel;
using widgets::GenerationOutcome;

class TestChat : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QString model_;

    void load(ChatPanel& panel)
    {
        QSignalSpy loaded(&panel, &ChatPanel::modelLoaded);
        QSignalSpy failed(&panel, &ChatPanel::modelFailed);
        panel.loadModel(model_);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() > 0, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QVERIFY(panel.isLoaded());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        model_ = tmp_.filePath(QStringLiteral("tiny-r1"));
        makeTinyModel(model_, {"<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"},
                      11);
    }

    void streamsRepliesOverTurns()
    {
        ChatPanel panel;
        panel.resize(900, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        load(panel);
        QVERIFY(!panel.send(QStringLiteral("   "))); // nothing to send

        panel.setSettings({.temperature = 1.0, .topP = 1.0, .maxNewTokens = 120, .thinkBudget = 40, .seed = 7});
        QSignalSpy streamed(&panel, &ChatPanel::replyStreamed);
        QSignalSpy finished(&panel, &ChatPanel::replyFinished);
        QVERIFY(panel.send(QStringLiteral("What is 2 plus 3?")));
        QVERIFY(panel.busy());
        QVERIFY(!panel.send(QStringLiteral("again"))); // one reply at a time
        const QString atSend = panel.transcript();
        QVERIFY(atSend.contains(QStringLiteral("What is 2 plus 3?")));
        QCOMPARE(panel.speedText(), QStringLiteral("Generating…"));

        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        QVERIFY(streamed.count() >= 1);
        QVERIFY(!panel.busy());
        const auto first = finished.first().first().value<GenerationOutcome>();
        QCOMPARE(first.finishReason, QStringLiteral("length"));
        QCOMPARE(first.tokens, 120); // no EOS in this model: the limit ends it
        // The DeepSeek-R1 template opens the thought; the budget closes it after 40 tokens.
        QVERIFY(first.promptOpensThinking);
        QVERIFY(first.reasoningTokens >= 40);
        QVERIFY(!first.reasoning.isEmpty());
        QVERIFY(first.text.contains(QStringLiteral("</think>")));
        QVERIFY(!first.reasoning.contains(QStringLiteral("</think>")));
        QVERIFY(first.tokensPerSecond > 0);
        QVERIFY(panel.transcript().size() > atSend.size());
        QVERIFY(panel.transcript().contains(first.reasoning));
        QVERIFY(panel.speedText().contains(QStringLiteral("tok/s")));
        QVERIFY(panel.speedText().startsWith(QStringLiteral("120 token")));

        // The reasoning folds away under its toggle and comes back.
        auto* section = panel.findChild<widgets::ReasoningSection*>();
        QVERIFY(section && section->isVisible() && !section->isCollapsed());
        auto* toggle = section->findChild<QToolButton*>();
        QVERIFY(toggle->text().startsWith(QStringLiteral("Reasoning")));
        toggle->click();
        QVERIFY(section->isCollapsed());
        QVERIFY(!section->findChild<widgets::StreamText*>()->isVisible());
        toggle->click();
        QVERIFY(!section->isCollapsed());
        QVERIFY(section->findChild<widgets::StreamText*>()->isVisible());

        // The second turn carries the first in its prompt.
        QVERIFY(panel.send(QStringLiteral("And 4 plus 4?")));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 60000);
        QCOMPARE(panel.replyCount(), 2);
        const auto second = finished.last().first().value<GenerationOutcome>();
        QVERIFY(second.prompt.contains(QStringLiteral("What is 2 plus 3?")));
        QVERIFY(second.prompt.contains(QStringLiteral("And 4 plus 4?")));
        QVERIFY(panel.transcript().contains(QStringLiteral("And 4 plus 4?")));

        // Open in trace stepper: the reply as a trace, tokens and log-probs included.
        QSignalSpy traces(&panel, &ChatPanel::openTraceRequested);
        QToolButton* open = nullptr;
        for (auto* button : panel.findChildren<QToolButton*>())
            if (button->text() == QStringLiteral("Open in trace stepper") && button->isVisible())
                open = button;
        QVERIFY(open);
        open->click();
        QCOMPARE(traces.count(), 1);
        const auto trace = traces.first().first().value<widgets::TraceSample>();
        QCOMPARE(trace.completion, second.text);
        QCOMPARE(trace.tokens.size(), second.tokens);
        QCOMPARE(trace.tokenLogprobs.size(), second.tokens);
        QVERIFY(trace.promptOpensThinking);

        const QString out = THINKBENCH_BINARY_DIR "/screenshots";
        QVERIFY(QDir().mkpath(out));
        QVERIFY(panel.grab().save(out + QStringLiteral("/chat_panel.png")));
    }

    void stopCancelsMidStream()
    {
        ChatPanel panel;
        load(panel);
        panel.setSettings({.temperature = 1.0, .topP = 1.0, .maxNewTokens = 20000, .seed = 1});
        QSignalSpy streamed(&panel, &ChatPanel::replyStreamed);
        QSignalSpy finished(&panel, &ChatPanel::replyFinished);
        QVERIFY(panel.send(QStringLiteral("Count to a million.")));
        QTRY_VERIFY_WITH_TIMEOUT(streamed.count() >= 2, 30000);
        const QString midway = panel.transcript();
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
        const auto outcome = finished.first().first().value<GenerationOutcome>();
        QCOMPARE(outcome.finishReason, QStringLiteral("cancelled"));
        QVERIFY(outcome.tokens > 0);
        QVERIFY(outcome.tokens < 20000);
        QVERIFY(panel.transcript().size() >= midway.size());
        QVERIFY(!panel.busy());
        // The conversation goes on after a Stop.
        panel.setSettings({.maxNewTokens = 8});
        QVERIFY(panel.send(QStringLiteral("Short, please.")));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 30000);
    }

    // Browse… offers what an analyst has on disk: a .gguf file loads as it is, and a folder is chosen
    // by its config.json. The dialog is answered as a user would, by choosing a file and Open.
    void browseOpensAGgufFileOrAFolder()
    {
        const QString gguf = tmp_.filePath(QStringLiteral("lm-studio-model.gguf"));
        QVERIFY(QFile::copy(THINKBENCH_SOURCE_DIR "/fuzz/corpus/gguf/qwen2_model", gguf));
        for (const auto& [chosen, expected] :
             {std::pair{gguf, gguf}, std::pair{QDir(model_).filePath("config.json"), model_}}) {
            ChatPanel panel;
            panel.show();
            QVERIFY(QTest::qWaitForWindowExposed(&panel));
            QSignalSpy loaded(&panel, &ChatPanel::modelLoaded);
            QString offered;
            int ticksSinceAnswer = -1;
            QTimer answer;
            connect(&answer, &QTimer::timeout, this, [&] {
                QFileDialog* dialog = nullptr;
                for (QWidget* w : QApplication::topLevelWidgets())
                    if (auto* d = qobject_cast<QFileDialog*>(w); d && d->isVisible())
                        dialog = d;
                if (!dialog)
                    return;
                if (ticksSinceAnswer >= 0) { // a dialog that refuses the choice fails the test, not hangs it
                    if (++ticksSinceAnswer > 50)
                        dialog->reject();
                    return;
                }
                ticksSinceAnswer = 0;
                offered = dialog->nameFilters().join(';');
                // Typed into the name field, as a user may; the dialog's own Open checks the file.
                auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
                QVERIFY(name);
                name->setText(chosen);
                QTest::keyClick(name, Qt::Key_Return);
            });
            answer.start(20);
            QPushButton* browse = nullptr;
            for (QPushButton* b : panel.findChildren<QPushButton*>())
                if (b->text() == QStringLiteral("Browse…"))
                    browse = b;
            QVERIFY(browse);
            QTest::mouseClick(browse, Qt::LeftButton);
            QVERIFY2(offered.contains(QStringLiteral("*.gguf")), qPrintable(offered));
            QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
            QCOMPARE(QFileInfo(loaded.first().first().toString()).absoluteFilePath(),
                     QFileInfo(expected).absoluteFilePath());
            QVERIFY(panel.isLoaded());
        }
    }

    void badFolderNamesTheFile()
    {
        const QString bad = tmp_.filePath(QStringLiteral("broken"));
        QVERIFY(QDir().mkpath(bad));
        for (const char* name : {"config.json", "tokenizer.json"})
            QVERIFY(QFile::copy(QDir(model_).filePath(QLatin1String(name)), QDir(bad).filePath(QLatin1String(name))));
        QFile weights(QDir(bad).filePath(QStringLiteral("model.safetensors")));
        QVERIFY(weights.open(QIODevice::WriteOnly));
        weights.write("not safetensors");
        weights.close();

        ChatPanel panel;
        QSignalSpy failed(&panel, &ChatPanel::modelFailed);
        panel.loadModel(bad);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("model.safetensors")), qPrintable(message));
        QCOMPARE(panel.errorText(), message);
        QVERIFY(!panel.isLoaded());
        QVERIFY(!panel.send(QStringLiteral("hello")));

        // NaN weights: the panel shows the engine's message as thinkbench-cli prints it.
        auto tensors = core::Transformer::load(model_.toStdString(), at::kFloat, at::kCPU).namedParameters();
        tensors["model.norm.weight"][0] = std::nanf("");
        core::writeSafetensors(QDir(bad).filePath(QStringLiteral("model.safetensors")).toStdString(), tensors);
        std::string engine;
        try {
            inference::loadModelFolder(bad.toStdString(), at::kFloat, at::kCPU);
        } catch (const core::Error& e) {
            engine = e.what();
        }
        QVERIFY(engine.find("tensor model.norm.weight: 1 of 32 values are not finite") != std::string::npos);
        ChatPanel nan;
        QSignalSpy nanFailed(&nan, &ChatPanel::modelFailed);
        nan.loadModel(bad);
        QTRY_VERIFY_WITH_TIMEOUT(nanFailed.count() == 1, 30000);
        QCOMPARE(nan.errorText(), QString::fromStdString(engine));
    }
};

QTEST_MAIN(TestChat)
#include "tst_chat.moc"
