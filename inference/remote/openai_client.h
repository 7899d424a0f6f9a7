#pragma once
// The HTTP side of an OpenAI-compatible endpoint, over cpp-httplib: the model list and chat
// completions, whole or streamed as server-sent events. Every failure is a core::Error naming the
// endpoint and saying what happened (no connection, no answer in time, the server's own error
// message with its HTTP status); a cancel closes the connection at once, even mid-wait.

#include "inference/remote/endpoint.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace thinkbench::inference {

class OpenAiClient {
public:
    explicit OpenAiClient(Endpoint endpoint);

    const Endpoint& endpoint() const { return endpoint_; }

    // GET /models: the ids the server lists.
    std::vector<std::string> models(const std::atomic<bool>* cancel = nullptr) const;
    // POST /chat/completions, not streamed: the completion object; null when cancelled.
    nlohmann::json complete(const nlohmann::json& body, const std::atomic<bool>* cancel = nullptr) const;
    // POST /chat/completions with "stream": true added: each chunk object in order, until
    // [DONE]. False when cancelled.
    bool stream(nlohmann::json body, const std::function<void(const nlohmann::json&)>& onChunk,
                const std::atomic<bool>* cancel = nullptr) const;

private:
    struct Exchange {
        int status = -1;
        std::string body; // an error's body, or a whole answer
        bool cancelled = false;
    };
    // onBody receives a 200 answer's bytes as they come (nothing for other statuses); it may throw.
    Exchange send(const std::string& method, const std::string& path, const std::string& body,
                  const std::function<void(std::string_view)>& onBody, const std::atomic<bool>* cancel) const;
    // Throws for a status other than 200, with the server's message.
    void checkStatus(const Exchange& exchange) const;
    [[noreturn]] void fail(const std::string& message) const;

    Endpoint endpoint_;
    std::string origin_;   // scheme://host[:port]
    std::string basePath_; // e.g. /v1
};

} // namespace thinkbench::inference
