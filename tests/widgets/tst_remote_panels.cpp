// The compare and chat panels with served models. Our own `thinkbench-cli serve` (a tiny
// random-weight model) beside a local one in Compare: both columns fill with reasoning and answer
// (and the README's screenshot). With the fake OpenAI server (tests/peers/fake_openai_server.py):
// batch evaluation and a blind A/B vote with a remote model in the line-up; failures (wrong key,
// 500, connection refused) as messages naming the endpoint while the GUI keeps running; Stop
// ending a wait on a silent server; the chat panel streaming a remote reply over two turns.

// Torch before Qt: Qt's `slots` macro breaks torch headers.
#include <torch/torch.h>

#include "core/store/run_store.h"
#include "widgets/chat_panel.h"
#include "widgets/common/remote_model_dialog.h"
#include "widgets/compare_panel.h"

#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTimer>
#include <QtTest>

#include "tests/openai_peer.h"
#include "tests/widgets/tiny_model.h"

using namespace thinkbench;
using widgets::ChatPanel;
using widgets::ComparePanel;

namespace {

// `thinkbench-cli serve` on a free loopback port, stopped with the test.
class OurServer {
public:
    OurServer(const QString& model, const QString& name)
    {
        process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process_.start(THINKBENCH_CLI, {"serve", "--model", model, "--name", name, "--port", "0"});
        const QRegularExpression serving(QStringLiteral("serving .* on (http://\\S+)"));
        while (url_.isEmpty()) {
            if (!process_.canReadLine() && !process_.waitForReadyRead(60000))
                qFatal("thinkbench-cli serve printed no address");
            const auto match = serving.match(QString::fromUtf8(process_.readLine()));
            if (match.hasMatch())
                url_ = match.captured(1) + QStringLiteral("/v1");
        }
    }
    ~OurServer()
    {
        process_.terminate();
        if (!process_.waitForFinished(10000))
            process_.kill();
    }
    QString url() const { return url_; }

private:
    QProcess process_;
    QString url_;
};

void loadModels(ComparePanel& panel, const QStringList& models, const QString& apiKey = {})
{
    QSignalSpy loaded(&panel, &ComparePanel::modelLoaded);
    QSignalSpy failed(&panel, &ComparePanel::modelFailed);
    for (int i = 0; i < models.size(); ++i)
        panel.loadModel(i, models[i], apiKey);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() == models.size(), 60000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().last().toString()));
}

} // namespace

class TestRemotePanels : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QString student_;
    QString teacher_;
    std::unique_ptr<FakeOpenAiServer> fake_;

private slots:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        student_ = tmp_.filePath(QStringLiteral("student"));
        teacher_ = tmp_.filePath(QStringLiteral("teacher"));
        const std::vector<std::string> r1 = {"<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>",
                                             "<｜Assistant｜>"};
        makeTinyModel(student_, r1, 1);
        makeTinyModel(teacher_, r1, 2);
        fake_ = std::make_unique<FakeOpenAiServer>(QStringList{"--api-key", "sk-test"});
    }
    void cleanupTestCase() { fake_.reset(); }

    void ourServerBesideALocalModel()
    {
        OurServer server(teacher_, QStringLiteral("teacher"));
        ComparePanel panel;
        panel.resize(1200, 760);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        loadModels(panel, {student_, server.url() + QStringLiteral("#teacher")});
        QCOMPARE(panel.columnTitle(0), QStringLiteral("student"));
        QCOMPARE(panel.columnTitle(1), QStringLiteral("teacher"));

        panel.setSettings({.temperature = 1.0, .topP = 1.0, .maxNewTokens = 70, .thinkBudget = 30, .seed = 5});
        panel.setPrompt(QStringLiteral("What is 2 plus 3?"));
        panel.setGroundTruth(QStringLiteral("5"));
        QSignalSpy streamed(&panel, &ComparePanel::columnStreamed);
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 120000);
        QVERIFY2(panel.errorText().isEmpty(), qPrintable(panel.errorText()));
        for (int c = 0; c < 2; ++c) {
            QVERIFY2(!panel.columnReasoning(c).isEmpty() && !panel.columnAnswer(c).isEmpty(),
                     qPrintable(QString::number(c)));
            QVERIFY2(panel.columnStats(c).contains(QStringLiteral("tok/s")), qPrintable(panel.columnStats(c)));
            QVERIFY(!panel.columnTrace(c).completion.isEmpty());
        }
        const auto fromRemote =
            std::count_if(streamed.begin(), streamed.end(), [](const auto& s) { return s[0] == 1; });
        QVERIFY2(fromRemote >= 2, "the remote column streams"); // not one block at the end

        const QString out = THINKBENCH_BINARY_DIR "/screenshots";
        QVERIFY(QDir().mkpath(out));
        QVERIFY(panel.grab().save(out + QStringLiteral("/compare_remote.png")));
    }

    void batchAndBlindVoteWithARemoteModel()
    {
        core::RunStore store(tmp_.filePath(QStringLiteral("votes.sqlite")).toStdString());
        ComparePanel panel;
        panel.setStore(&store);
        const QString tagger = fake_->spec(QStringLiteral("tagger"));
        loadModels(panel, {student_, tagger}, QStringLiteral("sk-test"));

        const QString dataset = tmp_.filePath(QStringLiteral("sums.jsonl"));
        QFile file(dataset);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"question\": \"What is 1 + 1?\", \"answer\": \"2\"}\n"
                   "{\"question\": \"What is 2 + 5?\", \"answer\": \"7\"}\n");
        file.close();
        panel.setSettings({.temperature = 0.6, .topP = 0.95, .maxNewTokens = 16, .seed = 3});
        panel.setBatchDataset(dataset);
        panel.setBatchSamples(2);
        QSignalSpy batchDone(&panel, &ComparePanel::batchFinished);
        QVERIFY(panel.runBatch());
        QTRY_VERIFY_WITH_TIMEOUT(batchDone.count() == 1, 120000);
        QTableWidget* table = panel.batchTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("tagger"));
        QCOMPARE(table->item(1, 1)->data(Qt::UserRole).toDouble(), 1.0); // pass@1: the fake always knows
        QVERIFY(!panel.batchTrace(1, 0).completion.isEmpty());

        panel.setBlind(true);
        panel.setPrompt(QStringLiteral("What is 4 + 4?"));
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 60000);
        QVERIFY(panel.vote(ComparePanel::Vote::A));
        const auto votes = store.votes();
        QCOMPARE(votes.size(), size_t(1));
        const QSet<QString> models = {QString::fromStdString(votes[0].modelA), QString::fromStdString(votes[0].modelB)};
        QCOMPARE(models, (QSet<QString>{student_, tagger}));
        QVERIFY(panel.revealText().contains(QStringLiteral("tagger")));
    }

    void failuresShowInThePanel()
    {
        ComparePanel panel;
        panel.show();
        const QString url = fake_->url();
        QSignalSpy failed(&panel, &ComparePanel::modelFailed);
        panel.loadModel(1, fake_->spec(QStringLiteral("reasoner")), QStringLiteral("sk-wrong"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QCOMPARE(panel.errorText(), "Model 2: " + url + ": HTTP 401 Unauthorized: Incorrect API key provided.");
        panel.loadModel(0, QStringLiteral("http://127.0.0.1:1/v1#m"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 30000);
        QVERIFY2(panel.errorText().startsWith("Model 1: http://127.0.0.1:1/v1: cannot connect"),
                 qPrintable(panel.errorText()));

        loadModels(panel, {fake_->spec(QStringLiteral("broken")), fake_->spec(QStringLiteral("reasoner"))},
                   QStringLiteral("sk-test"));
        panel.setPrompt(QStringLiteral("What is 2 + 3?"));
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 30000);
        QCOMPARE(panel.errorText(),
                 "Model 1: " + url + ": HTTP 500 Internal Server Error: internal failure: the GPU caught fire");
        QCOMPARE(panel.columnAnswer(1), QStringLiteral("The answer is \\boxed{5}."));
        QVERIFY(panel.columnReasoning(1).startsWith(QStringLiteral("We need 2 + 3.")));

        // A silent server: the GUI thread keeps turning, and Stop ends the wait.
        loadModels(panel, {fake_->spec(QStringLiteral("slow"))}, QStringLiteral("sk-test"));
        int ticks = 0;
        QTimer timer;
        connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
        timer.start(10);
        QVERIFY(panel.run());
        QTest::qWait(500);
        QVERIFY2(ticks >= 5, qPrintable(QString::number(ticks))); // ~50 on an idle machine; a frozen thread: 0
        QVERIFY(panel.busy());
        QElapsedTimer stopping;
        stopping.start();
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, 5000);
        QVERIFY(stopping.elapsed() < 2000);
        QVERIFY(!panel.busy());
    }

    void dialogComposesTheSpec()
    {
        widgets::RemoteModelDialog dialog(QStringLiteral("http://gpu:8000/v1#qwen3:8b"), QStringLiteral("sk-1"));
        const auto fields = dialog.findChildren<QLineEdit*>();
        QCOMPARE(fields.size(), 3);
        QCOMPARE(fields[0]->text(), QStringLiteral("http://gpu:8000/v1"));
        QCOMPARE(fields[1]->text(), QStringLiteral("qwen3:8b"));
        QCOMPARE(fields[2]->echoMode(), QLineEdit::Password);
        QCOMPARE(dialog.remoteModel().spec, QStringLiteral("http://gpu:8000/v1#qwen3:8b"));
        QCOMPARE(dialog.remoteModel().apiKey, QStringLiteral("sk-1"));
        fields[1]->clear(); // the endpoint's only model
        QCOMPARE(dialog.remoteModel().spec, QStringLiteral("http://gpu:8000/v1"));
        QPushButton* load = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        fields[0]->setText(QStringLiteral("runs/final")); // not a URL: nothing to load
        QVERIFY(!load->isEnabled());
    }

    void chatStreamsARemoteReply()
    {
        ChatPanel panel;
        panel.show();
        QSignalSpy failed(&panel, &ChatPanel::modelFailed);
        panel.loadModel(fake_->spec(QStringLiteral("reasoner")), QStringLiteral("sk-wrong"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(panel.errorText().contains(fake_->url() + ": HTTP 401 Unauthorized"));

        QSignalSpy loaded(&panel, &ChatPanel::modelLoaded);
        panel.loadModel(fake_->spec(QStringLiteral("reasoner")), QStringLiteral("sk-test"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
        QSignalSpy streamed(&panel, &ChatPanel::replyStreamed);
        QSignalSpy finished(&panel, &ChatPanel::replyFinished);
        QVERIFY(panel.send(QStringLiteral("What is 17 * 23?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(streamed.count() >= 1);
        QVERIFY(panel.send(QStringLiteral("And 6 * 7?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        const QString transcript = panel.transcript();
        QVERIFY2(transcript.contains(QStringLiteral("Reasoning: We need 17 * 23.")) &&
                     transcript.contains(QStringLiteral("Model: The answer is \\boxed{391}.")) &&
                     transcript.contains(QStringLiteral("Model: The answer is \\boxed{42}.")),
                 qPrintable(transcript));
        QCOMPARE(fake_->lastRequest()["messages"].size(), size_t(3));
        QVERIFY(panel.speedText().contains(QStringLiteral("tok/s")));
    }
};

QTEST_MAIN(TestRemotePanels)
#include "tst_remote_panels.moc"
