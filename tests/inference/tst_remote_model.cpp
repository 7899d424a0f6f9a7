// Remote models against a fake OpenAI-compatible server (tests/peers/fake_openai_server.py):
// server-sent events cut anywhere, endpoint specs, reasoning from reasoning_content and from
// <think> tags in the content (streamed and whole), what the request carries, evaluation, every
// failure as a message naming the endpoint (connection refused, timeout, 401, 400, 404, 500), and
// cancelling both a silent wait and a running stream.

#include "core/error.h"
#include "core/tasks/task.h"
#include "inference/chat_model.h"
#include "inference/eval.h"
#include "inference/remote/endpoint.h"
#include "inference/remote/sse_events.h"

#include <QtTest>

#include "tests/openai_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace thinkbench;
using inference::ChatModel;
using inference::ChatSettings;

namespace {

constexpr auto kReasoning = "We need 17 * 23. Let me compute: that is 391. Wait, check it again: 391.";
constexpr auto kAnswer = "The answer is \\boxed{391}.";

std::unique_ptr<ChatModel> open(const QString& spec, const std::string& key = "sk-test", double timeout = 30)
{
    inference::ModelOptions options;
    options.apiKey = key;
    options.timeoutSeconds = timeout;
    return inference::openChatModel(spec.toStdString(), options);
}

// The message of the core::Error that `f` throws; fails the test when it throws none.
template <class F> QString errorOf(F&& f)
{
    try {
        f();
    } catch (const core::Error& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("(no error)");
}

// A loopback port nobody listens on: bound by the kernel's choice, then closed.
int closedPort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), size);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    close(fd);
    return ntohs(address.sin_port);
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

class TestRemoteModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<FakeOpenAiServer> server_;

private slots:
    void initTestCase() { server_ = std::make_unique<FakeOpenAiServer>(QStringList{"--api-key", "sk-test"}); }
    void cleanupTestCase() { server_.reset(); }

    void sseEventsCutAnywhere()
    {
        const std::string stream = ": keep-alive\r\n\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line1\ndata: line2\n\n"
                                   "data: [DONE]";
        for (size_t piece : {1, 2, 3, 7, 1000}) {
            std::vector<std::string> events;
            inference::SseEvents sse([&](const std::string& data) { events.push_back(data); });
            for (size_t i = 0; i < stream.size(); i += piece)
                sse.feed(std::string_view(stream).substr(i, piece));
            sse.finish();
            QCOMPARE(events, (std::vector<std::string>{"{\"a\":1}", "line1\nline2", "[DONE]"}));
        }
    }

    void endpointSpecs()
    {
        const auto e = inference::parseEndpointSpec("http://127.0.0.1:8080/v1/#qwen3:8b");
        QCOMPARE(e.url, std::string("http://127.0.0.1:8080/v1"));
        QCOMPARE(e.model, std::string("qwen3:8b"));
        QCOMPARE(inference::endpointSpec(e), std::string("http://127.0.0.1:8080/v1#qwen3:8b"));
        QVERIFY(inference::parseEndpointSpec("https://api.example.com/v1").model.empty());
        QVERIFY(inference::isEndpointSpec("https://h/v1"));
        QVERIFY(!inference::isEndpointSpec("runs/final"));
        QVERIFY(errorOf([] { inference::parseEndpointSpec("http:///v1"); }).contains("not an endpoint"));
        QCOMPARE(inference::modelDisplayName("http://h:1/v1#reasoner"), std::string("reasoner"));
        QCOMPARE(inference::modelDisplayName("/tmp/run/final"), std::string("run/final"));
        QCOMPARE(inference::modelDisplayName("/tmp/student"), std::string("student"));
    }

    void replyTextKeepsTheR1Format()
    {
        inference::ReplyText apart;
        apart.appendReasoning("Think ");
        apart.appendReasoning("hard.");
        QCOMPARE(apart.split().reasoning, std::string("Think hard."));
        QVERIFY(apart.split().answer.empty());
        apart.append("Done.");
        QCOMPARE(apart.text(), std::string("<think>\nThink hard.\n</think>\n\nDone."));
        QCOMPARE(apart.split().answer, std::string("Done."));
        QCOMPARE(apart.tokens(), 3);
        QCOMPARE(apart.reasoningTokens(apart.split()), 2);
    }

    void streamsReasoningFromEitherShape_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("reasoning_content") << "reasoner";
        QTest::newRow("think tags") << "tagger";
    }
    void streamsReasoningFromEitherShape()
    {
        QFETCH(QString, model);
        auto remote = open(server_->spec(model));
        QCOMPARE(remote->name(), model.toStdString());
        QCOMPARE(remote->endpoint(), server_->url().toStdString());
        QVERIFY(remote->templateName().empty());
        int calls = 0;
        bool reasoningBeforeAnswer = false;
        const auto reply =
            remote->chat({{"user", "What is 2 + 2?"},
                          {"assistant", "<think>\nsecret thought\n</think>\n\nThe answer is 4."},
                          {"user", "What is 17 * 23?"}},
                         {.temperature = 0.7f, .topP = 0.9f, .maxNewTokens = 64, .thinkBudget = -1, .seed = 42},
                         [&](const inference::ReplyText& soFar) {
                             ++calls;
                             const auto split = soFar.split();
                             reasoningBeforeAnswer |= !split.reasoning.empty() && split.answer.empty();
                         });
        QCOMPARE(reply.reasoning, std::string(kReasoning));
        QCOMPARE(reply.answer, std::string(kAnswer));
        QCOMPARE(reply.finish, inference::FinishReason::Eos);
        QVERIFY(reasoningBeforeAnswer);
        QVERIFY2(calls >= 20, qPrintable(QString::number(calls)));
        QCOMPARE(reply.tokens, calls); // the server's usage: one token per delta
        QVERIFY(reply.reasoningTokens > 0 && reply.reasoningTokens < reply.tokens);
        QCOMPARE(reply.prompt, std::string("What is 17 * 23?"));

        const auto sent = server_->lastRequest();
        QCOMPARE(sent["model"].get<std::string>(), model.toStdString());
        QVERIFY(sent["stream"].get<bool>());
        QVERIFY(sent["stream_options"]["include_usage"].get<bool>());
        QCOMPARE(sent["seed"].get<int>(), 42);
        QCOMPARE(sent["max_tokens"].get<int>(), 64);
        QCOMPARE(sent["temperature"].get<double>(), 0.7f);
        // Earlier replies go back without their thought, as servers expect.
        QCOMPARE(sent["messages"][1]["content"].get<std::string>(), std::string("The answer is 4."));
    }

    void samplesWholeCompletions()
    {
        for (const char* model : {"reasoner", "tagger"}) {
            auto remote = open(server_->spec(model));
            const auto replies = remote->sample({{"What is 17 * 23?", 1}, {"What is 2 + 5?", 2}}, 3, {});
            QCOMPARE(replies.size(), size_t(2));
            QCOMPARE(replies[0].size(), size_t(3));
            QCOMPARE(replies[0][0].reasoning, std::string(kReasoning));
            QCOMPARE(replies[1][2].answer, std::string("The answer is \\boxed{7}."));
            QVERIFY(replies[1][2].tokens > 10);
            QVERIFY(QString::fromStdString(replies[0][1].text).startsWith("<think>\nWe need 17 * 23."));
        }
    }

    void evaluatesLikeALocalModel()
    {
        auto remote = open(server_->spec("tagger"));
        std::vector<core::Problem> problems;
        for (int i = 0; i < 5; ++i)
            problems.push_back({"p" + std::to_string(i),
                                "arithmetic",
                                "What is " + std::to_string(i) + " + " + std::to_string(10 * i) + "?",
                                std::to_string(11 * i),
                                {}});
        inference::EvalOptions options;
        options.k = 2;
        int progressCalls = 0;
        const auto result = inference::evaluate(*remote, problems, options, [&](int, int) { ++progressCalls; });
        QCOMPARE(result.summary.problems, 5);
        QCOMPARE(result.summary.pass1, 1.0);
        QCOMPARE(result.summary.formatRate, 1.0);
        QCOMPARE(result.items[3].samples.size(), size_t(2));
        QCOMPARE(result.items[3].consensus, std::string("33"));
        QVERIFY(progressCalls >= 1);
    }

    void apiKeyFromTheEnvironment()
    {
        qputenv("OPENAI_API_KEY", "sk-test");
        QCOMPARE(open(server_->spec("reasoner"), "")->name(), std::string("reasoner"));
        qunsetenv("OPENAI_API_KEY");
    }

    void failuresNameTheEndpoint()
    {
        const std::string url = server_->url().toStdString();
        const QString wrongKey = errorOf([&] { open(server_->spec("reasoner"), "sk-wrong"); });
        QCOMPARE(wrongKey, QString::fromStdString(url + ": HTTP 401 Unauthorized: Incorrect API key provided."));
        const QString unknown = errorOf([&] { open(server_->spec("nope")); });
        QVERIFY2(unknown.startsWith(QString::fromStdString(url + ": does not serve the model \"nope\"; it serves "
                                                                 "reasoner, tagger")),
                 qPrintable(unknown));
        QVERIFY(errorOf([&] { open(server_->url()); }).contains("name the model as " + server_->url() + "#MODEL"));
        inference::ModelOptions templated;
        templated.chatTemplate = "qwen";
        QVERIFY(errorOf([&] {
                    inference::openChatModel(server_->spec("reasoner").toStdString(), templated);
                }).contains("has its server's tokenizer and chat template"));

        auto broken = open(server_->spec("broken"));
        QCOMPARE(
            errorOf([&] {
                broken->chat({{"user", "hi"}}, {});
            }),
            QString::fromStdString(url + ": HTTP 500 Internal Server Error: internal failure: the GPU caught fire"));
        auto reasoner = open(server_->spec("reasoner"));
        QCOMPARE(errorOf([&] {
                     reasoner->chat({{"user", "hi"}}, {.maxNewTokens = -1});
                 }),
                 QString::fromStdString(url + ": HTTP 400 Bad Request: max_tokens must be at least 1, got -1."));
        QVERIFY(errorOf([&] { reasoner->sample({{"hi", 0}}, 2, {.maxNewTokens = -1}); }).contains("HTTP 400"));

        const int port = closedPort();
        const QString refused = errorOf([&] { open(QStringLiteral("http://127.0.0.1:%1/v1#m").arg(port)); });
        QCOMPARE(refused, QStringLiteral("http://127.0.0.1:%1/v1: cannot connect (connection refused or no such "
                                         "host): is the server running?")
                              .arg(port));

        auto slow = open(server_->spec("slow"), "sk-test", 1);
        const auto start = std::chrono::steady_clock::now();
        QCOMPARE(errorOf([&] {
                     slow->chat({{"user", "hi"}}, {});
                 }),
                 QString::fromStdString(url + ": no answer within the timeout of 1 s"));
        QVERIFY(secondsSince(start) < 5);
    }

    void cancelsASilentWaitAndAStream()
    {
        for (const char* model : {"slow", "dribble"}) {
            auto remote = open(server_->spec(model));
            std::atomic<bool> cancel{false};
            std::thread stopper([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(400));
                cancel = true;
            });
            const auto start = std::chrono::steady_clock::now();
            const auto reply = remote->chat({{"user", "hi"}}, {}, {}, &cancel);
            stopper.join();
            QVERIFY2(secondsSince(start) < 2, model);
            QCOMPARE(reply.finish, inference::FinishReason::Cancelled);
            if (std::string(model) == "dribble")
                QVERIFY(QString::fromStdString(reply.reasoning).startsWith("step 0 step 1"));
        }
        auto slow = open(server_->spec("slow"));
        std::atomic<bool> cancel{false};
        std::thread stopper([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            cancel = true;
        });
        const auto start = std::chrono::steady_clock::now();
        const auto replies = slow->sample({{"a", 0}, {"b", 1}}, 4, {}, &cancel);
        stopper.join();
        QVERIFY(secondsSince(start) < 2);
        QVERIFY(replies[0].empty() && replies[1].empty());
    }
};

QTEST_GUILESS_MAIN(TestRemoteModel)
#include "tst_remote_model.moc"
