#include "core/error.h"

namespace thinkbench::core {

namespace {
std::string describe(const std::string& file, const std::string& place, const std::string& message)
{
    std::string out = file;
    if (!place.empty())
        out += (out.empty() ? "" : ": ") + place;
    if (!out.empty())
        out += ": ";
    return out + message;
}
} // namespace

Error::Error(std::string file, std::string place, std::string message)
    : std::runtime_error(describe(file, place, message))
    , file_(std::move(file))
    , place_(std::move(place))
    , message_(std::move(message))
{
}

} // namespace thinkbench::core
