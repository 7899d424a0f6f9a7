#include "inference/serving/chat_server.h"

#include "core/error.h"
#include "inference/serving/openai_protocol.h"
#include "inference/serving/reasoning_stream.h"
#include "inference/serving/serving_loop.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <random>

namespace thinkbench::inference::serving {

namespace {

using nlohmann::json;

// What one request's callbacks hand over from the loop's thread to its HTTP thread.
struct Channel {
    std::mutex mutex;
    std::condition_variable ready;
    std::vector<TokenEvent> events;
    std::vector<GenerationResult> results;
};

BatchEngine::Callbacks callbacksFor(const std::shared_ptr<Channel>& channel, bool stream)
{
    BatchEngine::Callbacks callbacks;
    if (stream)
        callbacks.onToken = [channel](const TokenEvent& event) {
            std::lock_guard lock(channel->mutex);
            channel->events.push_back(event);
            channel->ready.notify_one();
        };
    callbacks.onResult = [channel](GenerationResult result) {
        std::lock_guard lock(channel->mutex);
        channel->results.push_back(std::move(result));
        channel->ready.notify_one();
    };
    return callbacks;
}

std::string dumpJson(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void replyError(httplib::Response& res, const ApiError& error)
{
    res.status = error.status;
    res.set_content(dumpJson(errorJson(error)), "application/json");
}

std::string completionId()
{
    static std::atomic<uint64_t> counter{0};
    static const uint64_t salt = std::random_device{}();
    char id[40];
    std::snprintf(id, sizeof id, "chatcmpl-%08llx%08llx", static_cast<unsigned long long>(salt & 0xffffffff),
                  static_cast<unsigned long long>(counter++));
    return id;
}

json deltaJson(const ReplyDelta& delta)
{
    json out = json::object();
    if (!delta.reasoning.empty())
        out["reasoning_content"] = delta.reasoning;
    if (!delta.content.empty())
        out["content"] = delta.content;
    return out;
}

} // namespace

struct ChatServer::Handlers {
    const ModelFolder& folder;
    const ServerOptions& options;
    ServingLoop& loop;
    int64_t created = std::time(nullptr);

    // The request as the engine takes it: the conversation templated and tokenized, the
    // completion's length checked against the context.
    GenerationRequest generationRequest(const ChatRequest& chat) const
    {
        if (chat.model != options.modelName)
            throw ApiError(400, "unknown model '" + chat.model + "'; this server serves '" + options.modelName + "'",
                           "model", "model_not_found");
        GenerationRequest request;
        request.promptIds = folder.tokenizer.encode(folder.chat.apply(chat.messages), true);
        request.promptOpensThinking = folder.chat.opensThinking();
        const int context = folder.model.config().max_position_embeddings;
        const int prompt = static_cast<int>(request.promptIds.size());
        if (prompt >= context)
            throw ApiError(400,
                           "the messages take " + std::to_string(prompt) + " tokens; the model's context is " +
                               std::to_string(context),
                           "messages", "context_length_exceeded");
        const int maxTokens = chat.maxTokens.value_or(context - prompt);
        if (prompt + maxTokens > context)
            throw ApiError(400,
                           "the messages take " + std::to_string(prompt) + " tokens and max_tokens asks for " +
                               std::to_string(maxTokens) + "; the model's context is " + std::to_string(context),
                           "max_tokens", "context_length_exceeded");
        request.params = chat.params;
        request.params.maxNewTokens = maxTokens;
        request.n = chat.n;
        return request;
    }

    void complete(const httplib::Request& req, httplib::Response& res)
    {
        const ChatRequest chat = parseChatRequest(req.body);
        GenerationRequest request = generationRequest(chat);
        const Usage prompt{static_cast<int64_t>(request.promptIds.size()), 0};
        auto channel = std::make_shared<Channel>();
        const int64_t ticket = loop.submit(std::move(request), callbacksFor(channel, chat.stream));
        const std::string id = completionId();
        const int64_t now = std::time(nullptr);
        if (!chat.stream) {
            std::unique_lock lock(channel->mutex);
            channel->ready.wait(lock, [&] { return static_cast<int>(channel->results.size()) == chat.n; });
            std::ranges::sort(channel->results, {}, &GenerationResult::sample);
            Usage usage = prompt;
            for (const auto& r : channel->results)
                usage.completionTokens += static_cast<int64_t>(r.ids.size());
            res.set_content(dumpJson(completionJson(id, chat.model, now, channel->results, usage)), "application/json");
            return;
        }
        streamReply(res, chat, channel, ticket, id, now, prompt);
    }

    void streamReply(httplib::Response& res, const ChatRequest& chat, const std::shared_ptr<Channel>& channel,
                     int64_t ticket, const std::string& id, int64_t now, Usage usage)
    {
        struct State {
            std::vector<ReasoningStream> streams;
            Usage usage;
            int finished = 0;
            bool started = false;
        };
        auto state = std::make_shared<State>();
        state->usage = usage;
        for (int i = 0; i < chat.n; ++i)
            state->streams.emplace_back(folder.chat.opensThinking(), chat.params.stopStrings);
        ServingLoop* loop = &this->loop;
        const auto provider = [=, this](size_t, httplib::DataSink& sink) {
            bool ok = true;
            const auto send = [&](const json& chunk) {
                const std::string line = "data: " + dumpJson(chunk) + "\n\n";
                ok = ok && sink.write(line.data(), line.size());
            };
            if (!state->started) {
                for (int i = 0; i < chat.n; ++i)
                    send(chunkJson(id, chat.model, now, i, {{"role", "assistant"}, {"content", ""}}));
                state->started = true;
            }
            std::vector<TokenEvent> events;
            std::vector<GenerationResult> results;
            {
                std::unique_lock lock(channel->mutex);
                channel->ready.wait_for(lock, std::chrono::milliseconds(200),
                                        [&] { return !channel->events.empty() || !channel->results.empty(); });
                events.swap(channel->events);
                results.swap(channel->results);
            }
            for (const TokenEvent& e : events)
                if (const ReplyDelta delta = state->streams[static_cast<size_t>(e.sample)].push(e.textDelta);
                    !delta.empty())
                    send(chunkJson(id, chat.model, now, e.sample, deltaJson(delta)));
            for (const GenerationResult& r : results) {
                if (const ReplyDelta delta = state->streams[static_cast<size_t>(r.sample)].finish(r); !delta.empty())
                    send(chunkJson(id, chat.model, now, r.sample, deltaJson(delta)));
                send(chunkJson(id, chat.model, now, r.sample, json::object(), finishReasonJson(r.finish)));
                state->usage.completionTokens += static_cast<int64_t>(r.ids.size());
                ++state->finished;
            }
            if (ok && state->finished == chat.n) {
                if (chat.includeUsage)
                    send({{"id", id},
                          {"object", "chat.completion.chunk"},
                          {"created", now},
                          {"model", chat.model},
                          {"choices", json::array()},
                          {"usage", usageJson(state->usage)}});
                const std::string done = "data: [DONE]\n\n";
                ok = ok && sink.write(done.data(), done.size());
                if (ok)
                    sink.done();
            }
            if (!ok || !sink.is_writable()) // the client went away: its rows leave the batch
                loop->cancel(ticket);
            return ok;
        };
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider("text/event-stream", provider, [loop, ticket, state, n = chat.n](bool) {
            if (state->finished < n)
                loop->cancel(ticket);
        });
    }
};

ChatServer::ChatServer(const ModelFolder& folder, ServerOptions options)
    : folder_(folder)
    , options_(std::move(options))
    , loop_(std::make_unique<ServingLoop>(folder.model, folder.tokenizer, options_.batchInvariant))
    , http_(std::make_unique<httplib::Server>())
    , handlers_(std::make_unique<Handlers>(Handlers{folder_, options_, *loop_}))
{
    httplib::Server& http = *http_;
    // Every streaming client holds a thread for as long as it streams.
    http.new_task_queue = [] { return new httplib::ThreadPool(64); };
    http.set_keep_alive_timeout(2);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second server binds a
    // port already in use and shares its connections instead of failing.
    http.set_socket_options([](socket_t sock) {
        const int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (options_.apiKey.empty() || !req.path.starts_with("/v1/") ||
            req.get_header_value("Authorization") == "Bearer " + options_.apiKey)
            return httplib::Server::HandlerResponse::Unhandled;
        replyError(res, ApiError(401, "missing or wrong API key (Authorization: Bearer KEY)", {}, "invalid_api_key"));
        return httplib::Server::HandlerResponse::Handled;
    });
    const auto guarded = [](auto handler) {
        return [handler](const httplib::Request& req, httplib::Response& res) {
            try {
                handler(req, res);
            } catch (const ApiError& e) {
                replyError(res, e);
            } catch (const std::exception& e) {
                replyError(res, ApiError(500, e.what(), {}, "internal_error", "server_error"));
            }
        };
    };
    http.Get("/health", guarded([this](const httplib::Request&, httplib::Response& res) {
                 res.set_content(dumpJson({{"status", "ok"},
                                           {"model", options_.modelName},
                                           {"batch_rows", loop_->rows()},
                                           {"peak_batch_rows", loop_->peakRows()}}),
                                 "application/json");
             }));
    http.Get("/v1/models", guarded([this](const httplib::Request&, httplib::Response& res) {
                 res.set_content(dumpJson(modelsJson(options_.modelName, handlers_->created)), "application/json");
             }));
    http.Post("/v1/chat/completions",
              guarded([this](const httplib::Request& req, httplib::Response& res) { handlers_->complete(req, res); }));
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (res.body.empty())
            replyError(res, ApiError(res.status, "no such endpoint: " + req.method + " " + req.path, {}, "not_found"));
    });
}

ChatServer::~ChatServer() = default;

int ChatServer::bind()
{
    const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                        : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port < 0)
        throw core::Error("", "--port",
                          "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                              " (in use, or not an address of this machine)");
    return port;
}

void ChatServer::serve()
{
    http_->listen_after_bind();
}

void ChatServer::stop()
{
    loop_->stop();
    http_->stop();
}

} // namespace thinkbench::inference::serving
