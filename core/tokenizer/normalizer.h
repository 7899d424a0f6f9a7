#pragma once
// The normalizers of tokenizer.json that the supported models use: NFC and literal replacements.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace thinkbench::core {

struct Normalizer {
    bool toNfc = false;
    std::vector<std::pair<std::string, std::string>> replacements; // from, to; in order

    // NFC first, then each replacement over the whole text.
    std::string apply(std::string_view raw) const;
};

} // namespace thinkbench::core
