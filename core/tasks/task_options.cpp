#include "core/tasks/task_options.h"

#include "core/error.h"

#include <algorithm>

namespace thinkbench::core {

std::pair<int, int> parseRange(const nlohmann::json& value, const std::string& spec, const char* key)
{
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    const size_t dash = text.find('-', 1);
    try {
        const int lo = std::stoi(text.substr(0, dash));
        const int hi = dash == std::string::npos ? lo : std::stoi(text.substr(dash + 1));
        if (lo < 1 || hi < lo)
            throw std::invalid_argument("range");
        return {lo, hi};
    } catch (const std::exception&) {
        throw Error(spec, key, "expected a positive range like 1-3, got \"" + text + "\"");
    }
}

void rejectUnknown(const nlohmann::json& options, const std::string& spec, std::initializer_list<const char*> known)
{
    for (auto it = options.begin(); it != options.end(); ++it)
        if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
            throw Error(spec, it.key(), "unknown option");
}

} // namespace thinkbench::core
