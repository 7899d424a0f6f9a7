#include "inference/remote/openai_client.h"

#include "core/error.h"
#include "inference/remote/sse_events.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace thinkbench::inference {

namespace {

using Clock = std::chrono::steady_clock;

// Closes the client's connection when the cancel flag rises, so a cancel ends even a request
// waiting on a silent server (httplib calls back only when bytes arrive).
class CancelWatch {
public:
    CancelWatch(httplib::Client& client, const std::atomic<bool>* cancel)
    {
        if (!cancel)
            return;
        thread_ = std::thread([this, &client, cancel] {
            std::unique_lock lock(mutex_);
            while (!done_) {
                if (cancel->load()) {
                    client.stop();
                    return;
                }
                wake_.wait_for(lock, std::chrono::milliseconds(20));
            }
        });
    }
    ~CancelWatch()
    {
        if (!thread_.joinable())
            return;
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread thread_;
};

// The message of an OpenAI-style error body ({"error": {"message": …}}) or of the shapes other
// servers use; else the body itself, shortened.
std::string serverMessage(const std::string& body)
{
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
        const auto& error = json.contains("error") ? json["error"] : json;
        if (error.is_string())
            return error.get<std::string>();
        for (const char* key : {"message", "detail"})
            if (error.is_object() && error.contains(key) && error[key].is_string())
                return error[key].get<std::string>();
    }
    std::string text = body.substr(0, 300);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
    return text;
}

std::string statusText(int status)
{
    switch (status) {
    case 400:
        return "400 Bad Request";
    case 401:
        return "401 Unauthorized";
    case 403:
        return "403 Forbidden";
    case 404:
        return "404 Not Found";
    case 429:
        return "429 Too Many Requests";
    case 500:
        return "500 Internal Server Error";
    case 503:
        return "503 Service Unavailable";
    default:
        return std::to_string(status);
    }
}

} // namespace

OpenAiClient::OpenAiClient(Endpoint endpoint)
    : endpoint_(std::move(endpoint))
{
    const size_t hostStart = endpoint_.url.find("://") + 3;
    const size_t pathStart = endpoint_.url.find('/', hostStart);
    origin_ = endpoint_.url.substr(0, pathStart);
    basePath_ = pathStart == std::string::npos ? std::string() : endpoint_.url.substr(pathStart);
}

void OpenAiClient::fail(const std::string& message) const
{
    throw core::Error(endpoint_.url, "", message);
}

OpenAiClient::Exchange OpenAiClient::send(const std::string& method, const std::string& path, const std::string& body,
                                          const std::function<void(std::string_view)>& onBody,
                                          const std::atomic<bool>* cancel) const
{
    httplib::Client client(origin_);
    if (!client.is_valid())
        fail("not a URL this client can use");
    const auto timeout = std::chrono::duration<double>(endpoint_.timeoutSeconds);
    const double connectSeconds = std::min(endpoint_.timeoutSeconds, 10.0); // a dead host fails fast
    client.set_connection_timeout(std::chrono::duration<double>(connectSeconds));
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    if (!endpoint_.apiKey.empty())
        client.set_bearer_token_auth(endpoint_.apiKey);

    httplib::Request request;
    request.method = method;
    request.path = basePath_ + path;
    if (!body.empty()) {
        request.body = body;
        request.set_header("Content-Type", "application/json");
    }
    Exchange exchange;
    std::exception_ptr thrown; // from onBody: rethrown here rather than through httplib
    request.response_handler = [&](const httplib::Response& response) {
        exchange.status = response.status;
        return true;
    };
    request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
        if (cancel && cancel->load())
            return false;
        if (exchange.status != 200 || !onBody) {
            exchange.body.append(data, size);
            return true;
        }
        try {
            onBody(std::string_view(data, size));
            return true;
        } catch (...) {
            thrown = std::current_exception();
            return false;
        }
    };

    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    const auto started = Clock::now();
    bool sent = false;
    {
        CancelWatch watch(client, cancel);
        sent = client.send(request, response, error);
    }
    if (thrown)
        std::rethrow_exception(thrown);
    if (cancel && cancel->load()) {
        exchange.cancelled = true;
        return exchange;
    }
    if (sent)
        return exchange;
    const double waited = std::chrono::duration<double>(Clock::now() - started).count();
    auto seconds = [](double s) { return std::to_string(static_cast<int>(s + 0.5)) + " s"; };
    switch (error) {
    case httplib::Error::Connection:
        fail("cannot connect (connection refused or no such host): is the server running?");
    case httplib::Error::ConnectionTimeout:
        fail("no connection within " + seconds(connectSeconds));
    case httplib::Error::Read:
        if (waited >= endpoint_.timeoutSeconds * 0.9)
            fail("no answer within the timeout of " + seconds(endpoint_.timeoutSeconds));
        fail("the server closed the connection before answering");
    default:
        fail("request failed: " + httplib::to_string(error));
    }
}

void OpenAiClient::checkStatus(const Exchange& exchange) const
{
    if (exchange.status == 200)
        return;
    const std::string message = serverMessage(exchange.body);
    fail("HTTP " + statusText(exchange.status) + (message.empty() ? "" : ": " + message));
}

std::vector<std::string> OpenAiClient::models(const std::atomic<bool>* cancel) const
{
    const Exchange exchange = send("GET", "/models", {}, {}, cancel);
    if (exchange.cancelled)
        return {};
    checkStatus(exchange);
    const auto json = nlohmann::json::parse(exchange.body, nullptr, false);
    if (!json.is_object() || !json.contains("data") || !json["data"].is_array())
        fail("GET /models: not a model list: " + exchange.body.substr(0, 200));
    std::vector<std::string> ids;
    for (const auto& model : json["data"])
        if (model.is_object() && model.contains("id") && model["id"].is_string())
            ids.push_back(model["id"].get<std::string>());
    return ids;
}

nlohmann::json OpenAiClient::complete(const nlohmann::json& body, const std::atomic<bool>* cancel) const
{
    const Exchange exchange = send("POST", "/chat/completions", body.dump(), {}, cancel);
    if (exchange.cancelled)
        return nullptr;
    checkStatus(exchange);
    auto json = nlohmann::json::parse(exchange.body, nullptr, false);
    if (!json.is_object())
        fail("the completion is not JSON: " + exchange.body.substr(0, 200));
    if (json.contains("error"))
        fail(serverMessage(exchange.body));
    return json;
}

bool OpenAiClient::stream(nlohmann::json body, const std::function<void(const nlohmann::json&)>& onChunk,
                          const std::atomic<bool>* cancel) const
{
    body["stream"] = true;
    bool done = false;
    SseEvents events([&](const std::string& data) {
        if (done)
            return;
        if (data == "[DONE]") {
            done = true;
            return;
        }
        const auto chunk = nlohmann::json::parse(data, nullptr, false);
        if (!chunk.is_object())
            fail("a streamed chunk is not JSON: " + data.substr(0, 200));
        if (chunk.contains("error")) // vLLM and llama.cpp report a failure mid-stream this way
            fail(serverMessage(data));
        onChunk(chunk);
    });
    const Exchange exchange = send(
        "POST", "/chat/completions", body.dump(), [&](std::string_view bytes) { events.feed(bytes); }, cancel);
    if (exchange.cancelled)
        return false;
    checkStatus(exchange);
    events.finish();
    return true;
}

} // namespace thinkbench::inference
