#pragma once
// Added tokens (special ones such as <|im_end|>, plain ones such as Qwen's <think>): found in the
// raw text before normalisation and BPE, each becoming its one id.

#include "core/tokenizer/tokenizer.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace thinkbench::core {

class AddedTokens {
public:
    explicit AddedTokens(std::vector<AddedToken> tokens = {});

    // Longest first.
    const std::vector<AddedToken>& list() const { return tokens_; }
    const AddedToken* byId(int32_t id) const;
    // The token whose content starts at text[at], or nullptr: the longest one, special ones only
    // with parseSpecial, single_word ones only with no word byte on either side.
    const AddedToken* matchAt(std::string_view text, size_t at, bool parseSpecial) const;

private:
    std::vector<AddedToken> tokens_;
    std::unordered_map<int32_t, size_t> indexById_;
    std::array<bool, 256> firstBytes_{}; // bytes some token starts with: most text skips the search
};

} // namespace thinkbench::core
