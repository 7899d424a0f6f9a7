// thinkbench-cli generate, chat and eval with a served model (--model URL#NAME) against the fake
// OpenAI-compatible server: reasoning and answer apart in JSON, streaming to the terminal, n
// samples, the key from --api-key or $OPENAI_API_KEY, an evaluation stored under the endpoint's
// name, and failures as exit code 1 with a message naming the endpoint.

#include "core/store/run_store.h"

#include <QtTest>

#include "tests/openai_peer.h"

namespace {

struct Result {
    int code;
    QString out;
    QString err;
};

Result cli(const QStringList& args, const QString& cwd, const QByteArray& input = {}, const QString& key = {})
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("OPENAI_API_KEY");
    if (!key.isEmpty())
        env.insert("OPENAI_API_KEY", key);
    process.setProcessEnvironment(env);
    process.setWorkingDirectory(cwd);
    process.start(THINKBENCH_CLI, args);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(60000);
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

nlohmann::json json(const Result& r)
{
    return nlohmann::json::parse(r.out.toStdString());
}

} // namespace

class TestRemoteCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<FakeOpenAiServer> server_;

private slots:
    void initTestCase() { server_ = std::make_unique<FakeOpenAiServer>(QStringList{"--api-key", "sk-test"}); }
    void cleanupTestCase() { server_.reset(); }

    void generateJson()
    {
        const auto r = cli({"generate", "--model", server_->spec("reasoner"), "--api-key", "sk-test", "--prompt",
                            "What is 17 * 23?", "--seed", "7", "--max-new-tokens", "99", "--json"},
                           dir_.path());
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto out = json(r);
        QCOMPARE(out["reasoning"].get<std::string>(),
                 "We need 17 * 23. Let me compute: that is 391. Wait, check it again: 391.");
        QCOMPARE(out["answer"].get<std::string>(), "The answer is \\boxed{391}.");
        QCOMPARE(out["finish"].get<std::string>(), "eos");
        QCOMPARE(out["model"].get<std::string>(), "reasoner");
        QCOMPARE(out["endpoint"].get<std::string>(), server_->url().toStdString());
        const auto sent = server_->lastRequest();
        QCOMPARE(sent["seed"].get<int>(), 7);
        QCOMPARE(sent["max_tokens"].get<int>(), 99);
    }

    void generateStreamsAndSamples()
    {
        const auto streamed = cli({"generate", "--model", server_->spec("tagger"), "--prompt", "What is 2 + 5?"},
                                  dir_.path(), {}, "sk-test");
        QVERIFY2(streamed.code == 0, qPrintable(streamed.err));
        QVERIFY2(streamed.out.contains("<think>\nWe need 2 + 5.") && streamed.out.endsWith("The answer is \\boxed{7}."),
                 qPrintable(streamed.out));
        QVERIFY2(streamed.err.contains("[tagger at " + server_->url() + ": "), qPrintable(streamed.err));

        const auto sampled = cli({"generate", "--model", server_->spec("reasoner"), "--api-key", "sk-test", "--prompt",
                                  "What is 2 + 5?", "--n", "3", "--json"},
                                 dir_.path());
        QVERIFY2(sampled.code == 0, qPrintable(sampled.err));
        QCOMPARE(json(sampled)["samples"].size(), size_t(3));
        QCOMPARE(json(sampled)["samples"][2]["answer"].get<std::string>(), "The answer is \\boxed{7}.");
    }

    void chatKeepsTheConversation()
    {
        const auto r = cli({"chat", "--model", server_->spec("reasoner"), "--api-key", "sk-test"}, dir_.path(),
                           "What is 1 + 1?\nAnd 3 * 4?\n/exit\n");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("\\boxed{2}") && r.out.contains("\\boxed{12}"));
        const auto sent = server_->lastRequest();
        QCOMPARE(sent["messages"].size(), size_t(3));
        QCOMPARE(sent["messages"][1]["content"].get<std::string>(), "The answer is \\boxed{2}.");
    }

    void evalStoresTheEndpointModel()
    {
        QFile dataset(dir_.filePath("sums.jsonl"));
        QVERIFY(dataset.open(QIODevice::WriteOnly));
        for (int i = 1; i <= 6; ++i)
            dataset.write(QStringLiteral("{\"id\": \"s%1\", \"question\": \"What is %1 + %2?\", \"answer\": \"%3\"}\n")
                              .arg(i)
                              .arg(i * 3)
                              .arg(i * 4)
                              .toUtf8());
        dataset.close();
        const auto r = cli({"eval", "--model", server_->spec("tagger"), "--dataset", "sums.jsonl", "-k", "2", "--db",
                            "runs.sqlite", "--json"},
                           dir_.path(), {}, "sk-test");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto out = json(r);
        QCOMPARE(out["problems"].get<int>(), 6);
        QCOMPARE(out["pass@1"].get<double>(), 1.0);
        QCOMPARE(out["format_rate"].get<double>(), 1.0);
        thinkbench::core::RunStore store(dir_.filePath("runs.sqlite").toStdString());
        const auto evaluations = store.evaluations();
        QCOMPARE(evaluations.size(), size_t(1));
        QCOMPARE(QString::fromStdString(evaluations[0].model), server_->spec("tagger"));
    }

    void failuresNameTheEndpoint()
    {
        const QString url = server_->url();
        const auto wrongKey =
            cli({"generate", "--model", server_->spec("reasoner"), "--prompt", "hi"}, dir_.path(), {}, "sk-wrong");
        QCOMPARE(wrongKey.code, 1);
        QCOMPARE(wrongKey.err.trimmed(), "error: " + url + ": HTTP 401 Unauthorized: Incorrect API key provided.");

        const auto broken = cli({"eval", "--model", server_->spec("broken"), "--api-key", "sk-test", "--task",
                                 "arithmetic", "--limit", "2", "-k", "1", "--db", "runs.sqlite"},
                                dir_.path());
        QCOMPARE(broken.code, 1);
        QVERIFY2(broken.err.contains("error: " + url + ": HTTP 500 Internal Server Error: internal failure"),
                 qPrintable(broken.err));

        const auto refused = cli(
            {"eval", "--model", "http://127.0.0.1:1/v1#m", "--task", "arithmetic", "--db", "runs.sqlite"}, dir_.path());
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("error: http://127.0.0.1:1/v1: cannot connect"), qPrintable(refused.err));
    }
};

QTEST_GUILESS_MAIN(TestRemoteCli)
#include "tst_remote_cli.moc"
