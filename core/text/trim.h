#pragma once
// White space around text: the one definition every parser and format check shares.

#include <string>
#include <string_view>

namespace thinkbench::core {

inline constexpr std::string_view kWhiteSpace = " \t\r\n";

inline std::string trimmed(std::string_view s)
{
    const size_t begin = s.find_first_not_of(kWhiteSpace);
    if (begin == std::string_view::npos)
        return {};
    const size_t end = s.find_last_not_of(kWhiteSpace);
    return std::string(s.substr(begin, end - begin + 1));
}

} // namespace thinkbench::core
