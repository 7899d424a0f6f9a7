#include "core/tokenizer/added_tokens.h"

#include <algorithm>
#include <cctype>

namespace thinkbench::core {

namespace {

bool isWordByte(unsigned char c)
{
    return std::isalnum(c) || c == '_' || c >= 0x80;
}

} // namespace

AddedTokens::AddedTokens(std::vector<AddedToken> tokens)
    : tokens_(std::move(tokens))
{
    // Longest first, so "<|im_start|>" wins over a shorter token that is its prefix.
    std::stable_sort(tokens_.begin(), tokens_.end(),
                     [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
    for (size_t i = 0; i < tokens_.size(); ++i) {
        indexById_[tokens_[i].id] = i;
        if (!tokens_[i].content.empty())
            firstBytes_[static_cast<unsigned char>(tokens_[i].content[0])] = true;
    }
}

const AddedToken* AddedTokens::byId(int32_t id) const
{
    auto it = indexById_.find(id);
    return it == indexById_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedTokens::matchAt(std::string_view text, size_t at, bool parseSpecial) const
{
    if (!firstBytes_[static_cast<unsigned char>(text[at])])
        return nullptr;
    for (const AddedToken& t : tokens_) {
        if ((t.special && !parseSpecial) || t.content.empty())
            continue;
        if (text.compare(at, t.content.size(), t.content) != 0)
            continue;
        if (t.singleWord) {
            const size_t end = at + t.content.size();
            if ((at > 0 && isWordByte(static_cast<unsigned char>(text[at - 1]))) ||
                (end < text.size() && isWordByte(static_cast<unsigned char>(text[end]))))
                continue;
        }
        return &t;
    }
    return nullptr;
}

} // namespace thinkbench::core
