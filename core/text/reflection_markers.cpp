#include "core/text/reflection_markers.h"

#include <algorithm>
#include <cctype>

namespace thinkbench::core {

namespace {

// Bytes of a word, as a regular expression's \b sees them; bytes of multi-byte UTF-8 letters
// count as word bytes so that a marker inside a longer word is not found.
bool isWordByte(unsigned char c)
{
    return std::isalnum(c) || c == '_' || c >= 0x80;
}

} // namespace

const std::vector<std::string>& reflectionMarkers()
{
    static const std::vector<std::string> markers = {"wait",     "let me check", "let me verify", "verify",
                                                     "verified", "re-examine",   "recheck",       "aha"};
    return markers;
}

std::vector<TextSpan> findReflections(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::vector<TextSpan> spans;
    for (size_t at = 0; at < lower.size();) {
        size_t longest = 0;
        if (at == 0 || !isWordByte(static_cast<unsigned char>(lower[at - 1]))) {
            for (const std::string& marker : reflectionMarkers()) {
                const size_t end = at + marker.size();
                if (marker.size() > longest && lower.compare(at, marker.size(), marker) == 0 &&
                    (end == lower.size() || !isWordByte(static_cast<unsigned char>(lower[end]))))
                    longest = marker.size();
            }
        }
        if (longest > 0) {
            spans.push_back({at, at + longest});
            at += longest;
        } else {
            ++at;
        }
    }
    return spans;
}

} // namespace thinkbench::core
