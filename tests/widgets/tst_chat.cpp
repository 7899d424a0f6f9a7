// The chat panel against a tiny random-weight Qwen2 peer checkpoint and a small BPE tokenizer
// trained here: the model loads on the worker thread, a reply streams in, tok/s is reported.

#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/tokenizer.h"
#include "widgets/chat_panel.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace thinkbench;
using thinkbench::widgets::ChatPanel;

class ChatTest : public QObject {
    Q_OBJECT

private slots:
    void streamsAReply()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString peer = THINKBENCH_PEERS_DIR "/hf/qwen2";
        for (const char* name : {"config.json", "model.safetensors"})
            QVERIFY(QFile::copy(peer + QLatin1Char('/') + name, dir.filePath(name)));
        core::BpeTrainerOptions options;
        options.vocabSize = 300; // below the peer's 1000 rows
        core::trainByteLevelBpe({"what is two plus two? the answer is four. think step by step."}, options)
            .save(dir.filePath(QStringLiteral("tokenizer.json")).toStdString());

        ChatPanel panel;
        QSignalSpy loaded(&panel, &ChatPanel::modelLoaded);
        QSignalSpy failed(&panel, &ChatPanel::modelFailed);
        panel.loadModel(dir.path());
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() > 0, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));

        widgets::ChatSettings settings;
        settings.temperature = 1.0f;
        settings.maxNewTokens = 24;
        settings.seed = 7;
        panel.setSettings(settings);
        QSignalSpy finished(&panel, &ChatPanel::replyFinished);
        panel.send(QStringLiteral("what is two plus two?"));
        QVERIFY(panel.busy());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        QVERIFY(!panel.busy());
        QVERIFY(!(panel.lastReasoning() + panel.lastAnswer()).isEmpty());
        QVERIFY(panel.lastTokensPerSecond() > 0);
        QVERIFY(panel.transcript().contains(QStringLiteral("what is two plus two?")));

        panel.resize(700, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QString shots = THINKBENCH_BINARY_DIR "/screenshots";
        QDir().mkpath(shots);
        QVERIFY(panel.grab().save(shots + QStringLiteral("/chat_panel.png")));
    }
};

QTEST_MAIN(ChatTest)
#include "tst_chat.moc"
