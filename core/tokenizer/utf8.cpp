#include "core/tokenizer/utf8.h"

#include "core/error.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

namespace thinkbench::core {

size_t completeUtf8Prefix(std::string_view bytes)
{
    // Walk back over at most 3 continuation bytes to the last lead byte and see if its
    // character is complete.
    const size_t n = bytes.size();
    size_t i = n;
    int back = 0;
    while (i > 0 && back < 4) {
        const auto c = static_cast<unsigned char>(bytes[i - 1]);
        if ((c & 0xC0) != 0x80) {
            const size_t need = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
            return (n - (i - 1) >= need) ? n : i - 1;
        }
        --i;
        ++back;
    }
    return n; // only continuation bytes: invalid, let the caller pass them on
}

void validateUtf8(std::string_view text, const std::string& source)
{
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t offset = 0;
    const auto size = static_cast<utf8proc_ssize_t>(text.size());
    while (offset < size) {
        if (p[offset] < 0x80) {
            ++offset;
            continue;
        }
        utf8proc_int32_t cp;
        const utf8proc_ssize_t len = utf8proc_iterate(p + offset, size - offset, &cp);
        if (len < 0)
            throw Error(source, "byte " + std::to_string(offset), "invalid UTF-8");
        offset += len;
    }
}

std::string nfc(std::string_view text)
{
    if (std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; }))
        return std::string(text);
    utf8proc_uint8_t* out = nullptr;
    const utf8proc_ssize_t len =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                     &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (len < 0)
        throw Error("input", "", std::string("cannot normalise: ") + utf8proc_errmsg(len));
    std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    std::free(out);
    return result;
}

std::string lossyUtf8(std::string_view bytes)
{
    // Byte sequences that are not valid UTF-8 (a model can emit them) become U+FFFD, as the
    // reference implementation decodes them.
    std::string out;
    out.reserve(bytes.size());
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(bytes.data());
    const auto size = static_cast<utf8proc_ssize_t>(bytes.size());
    for (utf8proc_ssize_t i = 0; i < size;) {
        if (p[i] < 0x80) {
            out += static_cast<char>(p[i++]);
            continue;
        }
        utf8proc_int32_t cp;
        const auto len = utf8proc_iterate(p + i, size - i, &cp);
        if (len < 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(bytes.substr(static_cast<size_t>(i), static_cast<size_t>(len)));
            i += len;
        }
    }
    return out;
}

void appendUtf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace thinkbench::core
