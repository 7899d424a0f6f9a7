#pragma once
// How a served model is named: "URL#NAME", the OpenAI-compatible base URL (the part before
// /chat/completions, e.g. http://127.0.0.1:8080/v1) and the model's name on that server. The
// fragment is never sent, so any URL stays valid; a spec without #NAME means the endpoint's only
// model. The same text works as --model in the CLI and in the panels' model fields.

#include <string>
#include <string_view>

namespace thinkbench::inference {

struct Endpoint {
    std::string url;             // without a trailing slash
    std::string model;           // empty: the one model the server lists
    std::string apiKey;          // sent as a bearer token when not empty
    double timeoutSeconds = 300; // the longest wait for the server's next bytes
};

// True for a model named by an http:// or https:// URL.
bool isEndpointSpec(std::string_view model);
// Throws core::Error for a URL without a host.
Endpoint parseEndpointSpec(std::string_view spec);
// The spec of an endpoint's model, without its key: URL#NAME.
std::string endpointSpec(const Endpoint& endpoint);

} // namespace thinkbench::inference
