#include "core/tokenizer/normalizer.h"

#include "core/tokenizer/utf8.h"

namespace thinkbench::core {

std::string Normalizer::apply(std::string_view raw) const
{
    std::string text = toNfc ? nfc(raw) : std::string(raw);
    for (const auto& [from, to] : replacements) {
        size_t at = 0;
        while ((at = text.find(from, at)) != std::string::npos) {
            text.replace(at, from.size(), to);
            at += to.size();
        }
    }
    return text;
}

} // namespace thinkbench::core
