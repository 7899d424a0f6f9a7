#pragma once
// The fake OpenAI-compatible server (tests/peers/fake_openai_server.py) for the remote-model
// tests, run with the project venv's Python on a free loopback port; stopped by closing its stdin.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QtTest>

class FakeOpenAiServer {
public:
    explicit FakeOpenAiServer(const QStringList& args = {})
    {
        process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process_.start(THINKBENCH_PYTHON,
                       QStringList{THINKBENCH_SOURCE_DIR "/tests/peers/fake_openai_server.py"} + args);
        if (!process_.waitForStarted(10000))
            qFatal("cannot start the fake OpenAI server with %s", THINKBENCH_PYTHON);
        while (!process_.canReadLine())
            if (!process_.waitForReadyRead(20000))
                qFatal("the fake OpenAI server printed no port");
        port_ = nlohmann::json::parse(process_.readLine().toStdString())["port"].get<int>();
    }
    ~FakeOpenAiServer()
    {
        process_.closeWriteChannel();
        if (!process_.waitForFinished(5000))
            process_.kill();
        process_.waitForFinished(5000);
    }

    int port() const { return port_; }
    // The OpenAI base URL, e.g. http://127.0.0.1:PORT/v1.
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(port_); }
    // A model spec for --model and the panels' fields.
    QString spec(const QString& model) const { return url() + QLatin1Char('#') + model; }
    // The body of the last chat request the server received.
    nlohmann::json lastRequest() const
    {
        httplib::Client client("127.0.0.1", port_);
        const auto response = client.Get("/debug/last");
        return response ? nlohmann::json::parse(response->body) : nlohmann::json();
    }

private:
    QProcess process_;
    int port_ = 0;
};
