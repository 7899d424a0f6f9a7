#include "inference/remote/endpoint.h"

#include "core/error.h"

namespace thinkbench::inference {

bool isEndpointSpec(std::string_view model)
{
    return model.starts_with("http://") || model.starts_with("https://");
}

Endpoint parseEndpointSpec(std::string_view spec)
{
    Endpoint endpoint;
    const size_t hash = spec.find('#');
    endpoint.url = std::string(spec.substr(0, hash));
    if (hash != std::string_view::npos)
        endpoint.model = std::string(spec.substr(hash + 1));
    while (endpoint.url.ends_with('/'))
        endpoint.url.pop_back();
    const size_t scheme = endpoint.url.find("://");
    if (!isEndpointSpec(endpoint.url) || endpoint.url.size() == scheme + 3 || endpoint.url[scheme + 3] == '/')
        throw core::Error(std::string(spec), "", "not an endpoint: expected http(s)://HOST[:PORT]/PATH[#MODEL]");
    return endpoint;
}

std::string endpointSpec(const Endpoint& endpoint)
{
    return endpoint.model.empty() ? endpoint.url : endpoint.url + "#" + endpoint.model;
}

} // namespace thinkbench::inference
