// `thinkbench-cli serve` against the official `openai` Python client (tests/peers/
// openai_serve_client.py): plain and streamed replies with reasoning_content, stop strings, n > 1,
// a cancelled stream that leaves the batch, keys, malformed requests, and 16 concurrent streaming
// clients whose replies equal the same requests sent alone.

#include <torch/torch.h>

#include "tests/python_peer.h"
#include "tests/widgets/tiny_model.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <map>

#include <csignal>
#include <sys/prctl.h>

namespace {

const QString kKey = QStringLiteral("test-key");
const QString kModel = QStringLiteral("tiny-r1");

std::string rstrip(std::string s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    return s;
}

// The cases the peer printed, by name (a name seen several times keeps every row).
std::multimap<std::string, nlohmann::json> byCase(const std::vector<nlohmann::json>& rows)
{
    std::multimap<std::string, nlohmann::json> out;
    for (const auto& row : rows)
        out.emplace(row["case"].get<std::string>(), row);
    return out;
}

void compareReply(const nlohmann::json& actual, const nlohmann::json& expected, const char* what)
{
    for (const char* field : {"reasoning", "content", "finish"})
        QVERIFY2(actual[field] == expected[field],
                 qPrintable(QString("%1, %2: %3 vs %4")
                                .arg(what, field, QString::fromStdString(actual[field].dump()),
                                     QString::fromStdString(expected[field].dump()))));
}

} // namespace

class TestServe : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QProcess server_;
    QString url_;

    std::vector<nlohmann::json> peer(const QString& mode)
    {
        return runPythonPeer("openai_serve_client.py", {mode, url_, kKey, kModel});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        const QString model = tmp_.filePath(kModel);
        makeTinyModel(model, {"<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"}, 11);
        // A short context, so a long prompt is easy to make.
        const QString configPath = QDir(model).filePath("config.json");
        auto config = nlohmann::json::parse(readAll(configPath).toStdString());
        config["max_position_embeddings"] = 512;
        QFile out(configPath);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(QByteArray::fromStdString(config.dump()));
        out.close();

        server_.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGTERM); }); // no orphan if a check aborts
        server_.start(THINKBENCH_CLI, {"serve", "--model", model, "--port", "0", "--api-key", kKey});
        QVERIFY(server_.waitForStarted());
        const QRegularExpression listening("serving (\\S+) on (http://\\S+)");
        QRegularExpressionMatch match;
        while (!match.hasMatch() && server_.waitForReadyRead(60000))
            match = listening.match(QString::fromUtf8(server_.readAllStandardOutput()));
        QVERIFY2(match.hasMatch(), server_.readAllStandardError().constData());
        QCOMPARE(match.captured(1), kModel);
        url_ = match.captured(2);
    }

    // A second server on the same port fails with a message instead of sharing it.
    void refusesAPortInUse()
    {
        QProcess second;
        second.start(THINKBENCH_CLI, {"serve", "--model", tmp_.filePath(kModel), "--port", url_.section(':', -1)});
        QVERIFY(second.waitForFinished(60000));
        QCOMPARE(second.exitCode(), 1);
        QVERIFY(second.readAllStandardError().contains("cannot listen on 127.0.0.1:"));
    }

    void answersTheOpenAiClient()
    {
        const auto cases = byCase(peer("conformance"));
        QCOMPARE(cases.find("models")->second["ids"], nlohmann::json::array({kModel.toStdString()}));

        // A plain reply: reasoning apart from the answer (the budget closed the thought), usage.
        const auto& plain = cases.find("plain")->second;
        const auto& reply = plain["choices"][0];
        QVERIFY(!reply["reasoning"].get<std::string>().empty());
        QVERIFY(!reply["content"].get<std::string>().empty());
        QVERIFY(reply["reasoning"].get<std::string>().find("think>") == std::string::npos);
        QCOMPARE(reply["finish"], "length");
        QCOMPARE(plain["usage"]["completion_tokens"], 24);
        QVERIFY(plain["usage"]["prompt_tokens"].get<int>() > 5);

        // The same request streamed: deltas that add up to the same reply, reasoning first.
        const auto& stream = cases.find("stream")->second;
        compareReply(stream["choices"][0], reply, "stream");
        QVERIFY(stream["choices"][0]["reasoning_deltas"].get<int>() > 3);
        QVERIFY(stream["choices"][0]["content_deltas"].get<int>() >= 1);
        QCOMPARE(stream["usage"], plain["usage"]);

        // A stop string ends the reply before it, plain and streamed.
        const auto& stop = cases.find("stop")->second;
        const std::string free = stop["free"]["reasoning"], stopString = stop["stop"];
        QVERIFY(free.find(stopString) != std::string::npos);
        QCOMPARE(stop["stopped"]["reasoning"].get<std::string>(), rstrip(free.substr(0, free.find(stopString))));
        QCOMPARE(stop["stopped"]["finish"], "stop");
        compareReply(stop["streamed"], stop["stopped"], "streamed stop");

        // n = 3: three different samples, the same streamed.
        const auto& n = cases.find("n")->second;
        QCOMPARE(n["choices"].size(), size_t(3));
        QVERIFY(n["choices"][0] != n["choices"][1] || n["choices"][1] != n["choices"][2]);
        for (int i = 0; i < 3; ++i)
            compareReply(n["streamed"][i], n["choices"][i], "streamed n");
        QCOMPARE(n["usage"]["completion_tokens"], 48);

        // A stream closed after three chunks leaves the batch at once, not after 400 tokens.
        const auto& cancel = cases.find("cancel")->second;
        QCOMPARE(cancel["chunks"], 3);
        QCOMPARE(cancel["rows_during"], 1);
        QCOMPARE(cancel["rows_after"], 0);
        QVERIFY(cancel["seconds"].get<double>() < 2.0);

        for (const char* name : {"wrong_key", "no_key"}) {
            const auto& row = cases.find(name)->second;
            QCOMPARE(row["status"], 401);
            QCOMPARE(row["body"]["error"]["code"], "invalid_api_key");
        }

        // Every bad request: 400 with an OpenAI error object naming the problem.
        const std::map<std::string, std::pair<std::string, std::string>> expected = {
            {"malformed", {"invalid_json", ""}},
            {"not_object", {"invalid_json", ""}},
            {"unknown_model", {"model_not_found", "model"}},
            {"negative_max_tokens", {"invalid_value", "max_tokens"}},
            {"too_long", {"context_length_exceeded", "messages"}},
            {"no_messages", {"invalid_value", "messages"}},
            {"bad_role", {"invalid_value", "messages[0].role"}},
            {"bad_stop", {"invalid_value", "stop"}}};
        auto [bad, badEnd] = cases.equal_range("bad");
        QCOMPARE(size_t(std::distance(bad, badEnd)), expected.size());
        for (; bad != badEnd; ++bad) {
            const auto& row = bad->second;
            const auto& error = row["body"]["error"];
            const auto& [code, param] = expected.at(row["name"]);
            QVERIFY2(row["status"] == 400, row.dump().c_str());
            QCOMPARE(error["type"], "invalid_request_error");
            QCOMPARE(error["code"].get<std::string>(), code);
            QCOMPARE(error["param"].is_null() ? std::string() : error["param"].get<std::string>(), param);
            QVERIFY(!error["message"].get<std::string>().empty());
        }

        // And the server goes on answering.
        const auto& after = cases.find("after")->second;
        QCOMPARE(after["usage"]["completion_tokens"], 5);
        QVERIFY(!after["choices"][0]["reasoning"].get<std::string>().empty());
        QCOMPARE(after["health"]["status"], "ok");
    }

    // 16 streaming clients in one batch, joining it at different steps: each reply complete and
    // equal to the same request sent alone (seeded sampling, batch-invariant forward).
    void concurrentClientsGetWhatTheyGetAlone()
    {
        const auto rows = peer("concurrency");
        const auto cases = byCase(rows);
        const auto& together = cases.find("together")->second;
        QVERIFY2(together["errors"].empty(), together["errors"].dump().c_str());
        QVERIFY(together["seconds"].get<double>() < 240);
        auto [client, end] = cases.equal_range("client");
        QCOMPARE(std::distance(client, end), 16);
        for (; client != end; ++client) {
            const auto& row = client->second;
            const std::string what = "client " + row["index"].dump();
            compareReply(row["together"]["reply"], row["alone"], what.c_str());
            QCOMPARE(row["together"]["usage"]["completion_tokens"], row["alone_usage"]["completion_tokens"]);
            QVERIFY(row["together"]["reply"]["finish"] == "length");
        }
        const auto health = nlohmann::json::parse(
            runPythonPeer("openai_serve_client.py", {"health", url_, kKey, kModel}).at(0)["health"].dump());
        qInfo("peak batch rows %d", health["peak_batch_rows"].get<int>());
        // Batched, not served one after another (the count depends on timing, hence no more than 4).
        QVERIFY2(health["peak_batch_rows"].get<int>() >= 4, health.dump().c_str());
    }

    // SIGTERM: the server stops and exits cleanly.
    void cleanupTestCase()
    {
        server_.terminate();
        QVERIFY(server_.waitForFinished(20000));
        QCOMPARE(server_.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server_.exitCode(), 0);
        QVERIFY(server_.readAllStandardError().contains("stopping"));
    }
};

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"
