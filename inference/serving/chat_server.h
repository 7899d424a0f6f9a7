#pragma once
// An OpenAI-compatible HTTP server for one model folder (cpp-httplib): GET /health, GET
// /v1/models, POST /v1/chat/completions, plain or streamed as server-sent events. Every request
// joins the one batch of the serving loop. With an API key, /v1/ requests without
// "Authorization: Bearer KEY" get 401; bad requests get 400 with an OpenAI error object, and the
// server goes on serving.

#include "inference/model_folder.h"

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace thinkbench::inference::serving {

class ServingLoop;

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080; // 0: any free port
    std::string apiKey;
    std::string modelName; // the id clients ask for
    bool batchInvariant = true;
};

class ChatServer {
public:
    ChatServer(const ModelFolder& folder, ServerOptions options);
    ~ChatServer();

    // Binds (core::Error when it cannot) and returns the port.
    int bind();
    // Serves until stop(); in-flight requests are cancelled and answered first.
    void serve();
    // From any thread (a signal watcher).
    void stop();

private:
    struct Handlers;

    const ModelFolder& folder_;
    ServerOptions options_;
    std::unique_ptr<ServingLoop> loop_;
    std::unique_ptr<httplib::Server> http_;
    std::unique_ptr<Handlers> handlers_;
};

} // namespace thinkbench::inference::serving
