#include "core/tokenizer/bpe_model.h"

#include "core/tokenizer/byte_alphabet.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <queue>

namespace thinkbench::core {

uint64_t BpeModel::pairKey(int32_t a, int32_t b)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

void BpeModel::encodeWord(std::string_view word, std::vector<int32_t>& out) const
{
    {
        std::lock_guard lock(cacheMutex_);
        if (auto it = cache_.find(word); it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int32_t> symbols;
    symbols.reserve(word.size());
    if (byteLevel) {
        for (unsigned char c : word)
            symbols.push_back(byteIds[c]);
    } else {
        for (size_t i = 0; i < word.size();) {
            size_t len = 1;
            const auto c = static_cast<unsigned char>(word[i]);
            if (c >= 0xF0)
                len = 4;
            else if (c >= 0xE0)
                len = 3;
            else if (c >= 0xC0)
                len = 2;
            len = std::min(len, word.size() - i);
            if (std::optional<int32_t> id = vocab.find(word.substr(i, len))) {
                symbols.push_back(*id);
            } else if (byteFallback) {
                for (size_t k = 0; k < len; ++k)
                    symbols.push_back(fallbackIds[static_cast<unsigned char>(word[i + k])]);
            } else if (unkId) {
                symbols.push_back(*unkId);
            }
            i += len;
        }
    }
    if (ignoreMerges) {
        std::string whole;
        for (int32_t s : symbols)
            whole += vocab.text(s);
        if (std::optional<int32_t> id = vocab.find(whole))
            symbols.assign(1, *id);
    }
    if (symbols.size() > 1)
        applyMerges(symbols);
    out.insert(out.end(), symbols.begin(), symbols.end());
    std::lock_guard lock(cacheMutex_);
    if (cache_.size() > 200000)
        cache_.clear();
    cache_.emplace(std::string(word), std::move(symbols));
}

// Merges the lowest-ranked adjacent pair, leftmost first, until none applies.
void BpeModel::applyMerges(std::vector<int32_t>& symbols) const
{
    const size_t n = symbols.size();
    std::vector<int32_t> prev(n), next(n);
    for (size_t i = 0; i < n; ++i) {
        prev[i] = static_cast<int32_t>(i) - 1;
        next[i] = i + 1 < n ? static_cast<int32_t>(i + 1) : -1;
    }
    struct Candidate {
        int32_t rank, pos, left, right;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
    auto consider = [&](int32_t pos) {
        const int32_t right = next[static_cast<size_t>(pos)];
        if (right < 0)
            return;
        auto it = merges.find(pairKey(symbols[static_cast<size_t>(pos)], symbols[static_cast<size_t>(right)]));
        if (it != merges.end())
            heap.push({it->second.first, pos, symbols[static_cast<size_t>(pos)], symbols[static_cast<size_t>(right)]});
    };
    for (size_t i = 0; i + 1 < n; ++i)
        consider(static_cast<int32_t>(i));
    std::vector<bool> dead(n, false);
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        const auto pos = static_cast<size_t>(c.pos);
        if (dead[pos] || symbols[pos] != c.left)
            continue;
        const int32_t right = next[pos];
        if (right < 0 || symbols[static_cast<size_t>(right)] != c.right)
            continue;
        symbols[pos] = merges.at(pairKey(c.left, c.right)).second;
        dead[static_cast<size_t>(right)] = true;
        next[pos] = next[static_cast<size_t>(right)];
        if (next[pos] >= 0)
            prev[static_cast<size_t>(next[pos])] = c.pos;
        if (prev[pos] >= 0)
            consider(prev[pos]);
        consider(c.pos);
    }
    size_t w = 0;
    for (size_t i = 0; i < n; ++i)
        if (!dead[i])
            symbols[w++] = symbols[i];
    symbols.resize(w);
}

std::string BpeModel::tokenBytes(int32_t id) const
{
    const std::string_view token = vocab.text(id);
    if (byteFallback && token.size() == 6 && token.substr(0, 3) == "<0x" && token[5] == '>' &&
        std::isxdigit(static_cast<unsigned char>(token[3])) && std::isxdigit(static_cast<unsigned char>(token[4])))
        return std::string(1, static_cast<char>(std::stoi(std::string(token.substr(3, 2)), nullptr, 16)));
    if (!byteLevel) {
        std::string out(token);
        for (size_t at = 0; (at = out.find("\xE2\x96\x81", at)) != std::string::npos;)
            out.replace(at, 3, " "); // sentencepiece's ▁
        return out;
    }
    std::string out;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(token.data());
    utf8proc_ssize_t offset = 0;
    while (offset < static_cast<utf8proc_ssize_t>(token.size())) {
        utf8proc_int32_t cp;
        const auto len = utf8proc_iterate(p + offset, static_cast<utf8proc_ssize_t>(token.size()) - offset, &cp);
        if (len <= 0)
            break;
        if (const auto byte = byteOfSymbol(static_cast<uint32_t>(cp)))
            out += static_cast<char>(*byte);
        else
            out.append(token.substr(static_cast<size_t>(offset), static_cast<size_t>(len)));
        offset += len;
    }
    return out;
}

} // namespace thinkbench::core
