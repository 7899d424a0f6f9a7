#include "core/tokenizer/tokenizer.h"

#include "core/error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <nlohmann/json.hpp>
#include <pcre2.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <queue>
#include <unordered_map>

namespace thinkbench::core {

// ---------------------------------------------------------------------------------------------
// UTF-8 helpers

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
            const size_t need = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                                                              : (c >> 3) == 0x1E ? 4
                                                                                 : 1;
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
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &out,
                     static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (len < 0)
        throw Error("input", "", std::string("cannot normalise: ") + utf8proc_errmsg(len));
    std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    std::free(out);
    return result;
}

namespace {

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

// GPT-2's byte-level alphabet: every byte becomes a printable character.
struct ByteAlphabet {
    std::array<std::string, 256> byteToChar;
    std::unordered_map<uint32_t, uint8_t> charToByte;

    ByteAlphabet()
    {
        uint32_t extra = 0;
        for (uint32_t b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
                                   (b >= 0xAE && b <= 0xFF);
            const uint32_t cp = printable ? b : 256 + extra++;
            appendUtf8(byteToChar[b], cp);
            charToByte[cp] = static_cast<uint8_t>(b);
        }
    }
};

const ByteAlphabet& byteAlphabet()
{
    static const ByteAlphabet alphabet;
    return alphabet;
}

// A compiled PCRE2 pattern with JIT; patterns are written for Hugging Face's Oniguruma/Rust
// regexes, which PCRE2 with UTF + UCP reads the same way.
class Regex {
public:
    Regex(const std::string& pattern, const std::string& file, const std::string& place)
    {
        int code;
        PCRE2_SIZE offset;
        code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &code, &offset, nullptr);
        if (!code_) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(code, message, sizeof message);
            throw Error(file, place,
                        "invalid regex at offset " + std::to_string(offset) + ": " +
                            reinterpret_cast<char*>(message));
        }
        pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);
    }
    ~Regex() { pcre2_code_free(code_); }
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // Calls found(begin, end) for every non-overlapping match in text[from, to).
    template <typename F> void forEach(std::string_view text, F&& found) const
    {
        // One match block per thread serves every pattern: only group 0 is read.
        struct MatchData {
            pcre2_match_data* data = pcre2_match_data_create(16, nullptr);
            ~MatchData() { pcre2_match_data_free(data); }
        };
        thread_local MatchData match;
        pcre2_match_data* match_ = match.data;
        size_t start = 0;
        const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        while (start <= text.size()) {
            const int rc = pcre2_match(code_, subject, text.size(), start, PCRE2_NO_UTF_CHECK,
                                       match_, nullptr);
            if (rc < 0)
                break;
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_);
            if (ov[1] == ov[0]) { // empty match: step one character forward
                start = ov[0] + 1;
                while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
                    ++start;
                continue;
            }
            found(ov[0], ov[1]);
            start = ov[1];
        }
    }

private:
    pcre2_code* code_ = nullptr;
};

const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// A piece of text during pre-tokenization: [begin, end) of the segment being encoded.
struct Piece {
    size_t begin, end;
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct PreTokenizer {
    enum class Kind { Split, ByteLevel, Digits } kind;
    std::unique_ptr<Regex> regex;
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    bool addPrefixSpace = false;
    bool individualDigits = false;
    bool useRegex = false;
    std::string source; // the JSON as read, written back by toJson()
};

// Splits every piece by the matches of `regex` according to the behaviour.
std::vector<Piece> splitPieces(std::string_view text, const std::vector<Piece>& pieces,
                               const PreTokenizer& pre)
{
    std::vector<Piece> out;
    out.reserve(pieces.size() * 2);
    for (const Piece& piece : pieces) {
        std::string_view sub = text.substr(piece.begin, piece.end - piece.begin);
        // (begin, end, isMatch) spans covering the piece
        thread_local std::vector<std::tuple<size_t, size_t, bool>> spans;
        spans.clear();
        size_t last = 0;
        auto onMatch = [&](size_t b, size_t e) {
            if (b > last)
                spans.emplace_back(last, b, false);
            spans.emplace_back(b, e, true);
            last = e;
        };
        if (pre.kind == PreTokenizer::Kind::Digits) {
            size_t i = 0;
            while (i < sub.size()) {
                if (sub[i] >= '0' && sub[i] <= '9') {
                    size_t j = i + 1;
                    if (!pre.individualDigits)
                        while (j < sub.size() && sub[j] >= '0' && sub[j] <= '9')
                            ++j;
                    onMatch(i, j);
                    i = j;
                } else {
                    ++i;
                }
            }
        } else {
            pre.regex->forEach(sub, onMatch);
        }
        if (last < sub.size())
            spans.emplace_back(last, sub.size(), false);
        const SplitBehavior behavior =
            pre.kind == PreTokenizer::Kind::Digits ? SplitBehavior::Contiguous : pre.behavior;
        std::optional<Piece> pending;
        bool previousWasMatch = false;
        for (auto [b, e, isMatch] : spans) {
            if (pre.invert)
                isMatch = !isMatch;
            const Piece p{piece.begin + b, piece.begin + e};
            switch (behavior) {
            case SplitBehavior::Removed:
                if (!isMatch)
                    out.push_back(p);
                break;
            case SplitBehavior::Isolated:
                out.push_back(p);
                break;
            case SplitBehavior::Contiguous:
                if (isMatch && previousWasMatch && !out.empty() && out.back().end == p.begin)
                    out.back().end = p.end;
                else
                    out.push_back(p);
                break;
            case SplitBehavior::MergedWithPrevious:
                if (isMatch && !out.empty() && out.back().end == p.begin &&
                    out.back().begin >= piece.begin)
                    out.back().end = p.end;
                else
                    out.push_back(p);
                break;
            case SplitBehavior::MergedWithNext: {
                Piece q = p;
                if (pending) { // a delimiter waiting for what follows it
                    q.begin = pending->begin;
                    pending.reset();
                }
                if (isMatch)
                    pending = q;
                else
                    out.push_back(q);
                break;
            }
            }
            previousWasMatch = isMatch;
        }
        if (pending)
            out.push_back(*pending);
    }
    return out;
}

SplitBehavior parseBehavior(const std::string& name, const std::string& file,
                            const std::string& place)
{
    if (name == "Removed")
        return SplitBehavior::Removed;
    if (name == "Isolated")
        return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (name == "Contiguous")
        return SplitBehavior::Contiguous;
    throw Error(file, place, "unsupported split behavior \"" + name + "\"");
}

// Lets the word cache be probed with a string_view, without building a std::string per word.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

uint64_t pairKey(int32_t a, int32_t b)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

} // namespace

// ---------------------------------------------------------------------------------------------

struct Tokenizer::Impl {
    std::string file;
    nlohmann::json original; // the tokenizer.json as read (written back by toJson)

    enum class Normalizer { None, Nfc };
    Normalizer normalizer = Normalizer::None;
    std::vector<std::pair<std::string, std::string>> replacements; // Replace normalizers
    std::vector<PreTokenizer> preTokenizers;
    bool byteLevel = false; // BPE symbols are bytes in GPT-2's alphabet
    bool byteFallback = false;
    bool ignoreMerges = false;
    std::optional<int32_t> unkId;

    std::unordered_map<std::string, int32_t> vocab;
    std::vector<std::string> idToToken;
    std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges; // pair -> (rank, merged id)
    std::array<int32_t, 256> byteIds{}; // byte-level: id of each byte's character token
    std::array<int32_t, 256> fallbackIds{}; // byte fallback: id of <0xNN>

    std::vector<AddedToken> added;
    std::unordered_map<int32_t, size_t> addedById;
    std::array<bool, 256> addedFirstByte{};

    std::optional<int32_t> bos, eos, pad;
    std::string chatTemplate;

    mutable std::mutex cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache;

    int32_t vocabSize() const
    {
        int32_t n = static_cast<int32_t>(idToToken.size());
        for (const auto& t : added)
            n = std::max(n, t.id + 1);
        return n;
    }

    // Runs BPE on one pre-tokenized word and appends its ids.
    void bpe(std::string_view word, std::vector<int32_t>& out) const
    {
        {
            std::lock_guard lock(cacheMutex);
            if (auto it = cache.find(word); it != cache.end()) {
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
                if (auto it = vocab.find(std::string(word.substr(i, len))); it != vocab.end()) {
                    symbols.push_back(it->second);
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
                whole += idToToken[static_cast<size_t>(s)];
            if (auto it = vocab.find(whole); it != vocab.end())
                symbols.assign(1, it->second);
        }
        if (symbols.size() > 1)
            applyMerges(symbols);
        out.insert(out.end(), symbols.begin(), symbols.end());
        std::lock_guard lock(cacheMutex);
        if (cache.size() > 200000)
            cache.clear();
        cache.emplace(std::string(word), std::move(symbols));
    }

    // Merges the lowest-ranked adjacent pair, leftmost first, until none applies.
    void applyMerges(std::vector<int32_t>& symbols) const
    {
        const size_t n = symbols.size();
        std::vector<int32_t> prev(n), next(n);
        for (size_t i = 0; i < n; ++i) {
            prev[i] = static_cast<int32_t>(i) - 1;
            next[i] = i + 1 < n ? static_cast<int32_t>(i + 1) : -1;
        }
        struct Candidate {
            int32_t rank, pos, left, right;
            bool operator>(const Candidate& o) const
            {
                return rank != o.rank ? rank > o.rank : pos > o.pos;
            }
        };
        std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
        auto consider = [&](int32_t pos) {
            const int32_t right = next[static_cast<size_t>(pos)];
            if (right < 0)
                return;
            auto it = merges.find(pairKey(symbols[static_cast<size_t>(pos)],
                                          symbols[static_cast<size_t>(right)]));
            if (it != merges.end())
                heap.push({it->second.first, pos, symbols[static_cast<size_t>(pos)],
                           symbols[static_cast<size_t>(right)]});
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

    void encodeSegment(std::string_view raw, std::vector<int32_t>& out) const
    {
        forEachPiece(raw, [&](std::string_view piece) { bpe(piece, out); });
    }

    // Normalises a segment and calls found(piece) for each pre-tokenized piece.
    template <typename F> void forEachPiece(std::string_view raw, F&& found) const
    {
        std::string text = normalizer == Normalizer::Nfc ? nfc(raw) : std::string(raw);
        for (const auto& [from, to] : replacements) {
            size_t at = 0;
            while ((at = text.find(from, at)) != std::string::npos) {
                text.replace(at, from.size(), to);
                at += to.size();
            }
        }
        std::vector<Piece> pieces{{0, text.size()}};
        for (const PreTokenizer& pre : preTokenizers) {
            if (pre.kind == PreTokenizer::Kind::ByteLevel) {
                if (pre.addPrefixSpace && !text.empty() && text[0] != ' ') {
                    text.insert(text.begin(), ' ');
                    for (Piece& p : pieces) {
                        p.end += 1;
                        if (p.begin > 0)
                            p.begin += 1;
                    }
                }
                if (pre.useRegex)
                    pieces = splitPieces(text, pieces, pre);
            } else {
                pieces = splitPieces(text, pieces, pre);
            }
        }
        for (const Piece& p : pieces)
            if (p.end > p.begin)
                found(std::string_view(text).substr(p.begin, p.end - p.begin));
    }

    static bool isWordByte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }
    static bool isSpace(unsigned char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    }

    std::vector<int32_t> encode(std::string_view text, bool parseSpecial) const
    {
        validateUtf8(text);
        std::vector<int32_t> out;
        out.reserve(text.size() / 3 + 4);
        size_t segmentStart = 0;
        size_t i = 0;
        while (i < text.size()) {
            if (!addedFirstByte[static_cast<unsigned char>(text[i])]) {
                ++i;
                continue;
            }
            const AddedToken* match = nullptr;
            for (const AddedToken& t : added) { // longest first
                if ((t.special && !parseSpecial) || t.content.empty())
                    continue;
                if (text.compare(i, t.content.size(), t.content) != 0)
                    continue;
                if (t.singleWord) {
                    const size_t end = i + t.content.size();
                    if ((i > 0 && isWordByte(static_cast<unsigned char>(text[i - 1]))) ||
                        (end < text.size() && isWordByte(static_cast<unsigned char>(text[end]))))
                        continue;
                }
                match = &t;
                break;
            }
            if (!match) {
                ++i;
                continue;
            }
            size_t before = i;
            if (match->lstrip)
                while (before > segmentStart && isSpace(static_cast<unsigned char>(text[before - 1])))
                    --before;
            if (before > segmentStart)
                encodeSegment(text.substr(segmentStart, before - segmentStart), out);
            out.push_back(match->id);
            i += match->content.size();
            if (match->rstrip)
                while (i < text.size() && isSpace(static_cast<unsigned char>(text[i])))
                    ++i;
            segmentStart = i;
        }
        if (segmentStart < text.size())
            encodeSegment(text.substr(segmentStart), out);
        return out;
    }

    const AddedToken* addedToken(int32_t id) const
    {
        auto it = addedById.find(id);
        return it == addedById.end() ? nullptr : &added[it->second];
    }

    // The bytes a vocabulary token stands for.
    std::string tokenBytes(int32_t id) const
    {
        if (const AddedToken* t = addedToken(id))
            return t->content;
        if (id < 0 || static_cast<size_t>(id) >= idToToken.size())
            return {};
        const std::string& token = idToToken[static_cast<size_t>(id)];
        if (byteFallback && token.size() == 6 && token.rfind("<0x", 0) == 0 && token[5] == '>')
            return std::string(1, static_cast<char>(std::stoi(token.substr(3, 2), nullptr, 16)));
        if (!byteLevel) {
            std::string out = token;
            for (size_t at = 0; (at = out.find("\xE2\x96\x81", at)) != std::string::npos;)
                out.replace(at, 3, " "); // sentencepiece's ▁
            return out;
        }
        std::string out;
        const auto& alphabet = byteAlphabet();
        const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(token.data());
        utf8proc_ssize_t offset = 0;
        while (offset < static_cast<utf8proc_ssize_t>(token.size())) {
            utf8proc_int32_t cp;
            const auto len = utf8proc_iterate(p + offset,
                                              static_cast<utf8proc_ssize_t>(token.size()) - offset, &cp);
            if (len <= 0)
                break;
            auto it = alphabet.charToByte.find(static_cast<uint32_t>(cp));
            if (it != alphabet.charToByte.end())
                out += static_cast<char>(it->second);
            else
                out.append(token, static_cast<size_t>(offset), static_cast<size_t>(len));
            offset += len;
        }
        return out;
    }
};

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

const nlohmann::json& require(const nlohmann::json& j, const char* key, const std::string& file,
                              const std::string& path)
{
    if (!j.is_object() || !j.contains(key))
        throw Error(file, path.empty() ? key : path + "." + key, "missing");
    return j.at(key);
}

std::string joinPath(const std::string& path, const std::string& key)
{
    return path.empty() ? key : path + "." + key;
}

void loadNormalizer(Tokenizer::Impl& t, const nlohmann::json& n, const std::string& path)
{
    if (n.is_null())
        return;
    const std::string type = require(n, "type", t.file, path).get<std::string>();
    if (type == "NFC") {
        t.normalizer = Tokenizer::Impl::Normalizer::Nfc;
    } else if (type == "Sequence") {
        const auto& list = require(n, "normalizers", t.file, path);
        for (size_t i = 0; i < list.size(); ++i)
            loadNormalizer(t, list[i], path + ".normalizers[" + std::to_string(i) + "]");
    } else if (type == "Replace") {
        const auto& pattern = require(n, "pattern", t.file, path);
        if (!pattern.contains("String"))
            throw Error(t.file, path + ".pattern", "only String patterns are supported in Replace");
        t.replacements.emplace_back(pattern["String"].get<std::string>(),
                                    require(n, "content", t.file, path).get<std::string>());
    } else {
        throw Error(t.file, path + ".type", "unsupported \"" + type + "\"");
    }
}

void loadPreTokenizer(Tokenizer::Impl& t, const nlohmann::json& p, const std::string& path)
{
    if (p.is_null())
        return;
    const std::string type = require(p, "type", t.file, path).get<std::string>();
    if (type == "Sequence") {
        const auto& list = require(p, "pretokenizers", t.file, path);
        for (size_t i = 0; i < list.size(); ++i)
            loadPreTokenizer(t, list[i], path + ".pretokenizers[" + std::to_string(i) + "]");
        return;
    }
    PreTokenizer pre;
    pre.source = p.dump();
    if (type == "Split") {
        pre.kind = PreTokenizer::Kind::Split;
        const auto& pattern = require(p, "pattern", t.file, path);
        std::string regex;
        if (pattern.contains("Regex")) {
            regex = pattern["Regex"].get<std::string>();
        } else if (pattern.contains("String")) {
            // A literal: quote it for PCRE2.
            regex = "\\Q" + pattern["String"].get<std::string>() + "\\E";
        } else {
            throw Error(t.file, path + ".pattern", "needs Regex or String");
        }
        pre.regex = std::make_unique<Regex>(regex, t.file, path + ".pattern.Regex");
        pre.behavior = parseBehavior(require(p, "behavior", t.file, path).get<std::string>(),
                                     t.file, path + ".behavior");
        pre.invert = p.value("invert", false);
    } else if (type == "ByteLevel") {
        pre.kind = PreTokenizer::Kind::ByteLevel;
        pre.addPrefixSpace = p.value("add_prefix_space", false);
        pre.useRegex = p.value("use_regex", true);
        pre.behavior = SplitBehavior::Isolated;
        if (pre.useRegex)
            pre.regex = std::make_unique<Regex>(kGpt2Pattern, t.file, path);
        t.byteLevel = true;
    } else if (type == "Digits") {
        pre.kind = PreTokenizer::Kind::Digits;
        pre.individualDigits = p.value("individual_digits", false);
    } else {
        throw Error(t.file, path + ".type", "unsupported \"" + type + "\"");
    }
    t.preTokenizers.push_back(std::move(pre));
}

void checkDecoder(Tokenizer::Impl& t, const nlohmann::json& d, const std::string& path)
{
    if (d.is_null())
        return;
    const std::string type = require(d, "type", t.file, path).get<std::string>();
    if (type == "Sequence") {
        const auto& list = require(d, "decoders", t.file, path);
        for (size_t i = 0; i < list.size(); ++i)
            checkDecoder(t, list[i], path + ".decoders[" + std::to_string(i) + "]");
    } else if (type == "ByteLevel") {
        t.byteLevel = true;
    } else if (type != "ByteFallback" && type != "Fuse") {
        throw Error(t.file, path + ".type", "unsupported \"" + type + "\"");
    }
}

void loadModel(Tokenizer::Impl& t, const nlohmann::json& m)
{
    const std::string type = require(m, "type", t.file, "model").get<std::string>();
    if (type != "BPE")
        throw Error(t.file, "model.type", "unsupported \"" + type + "\" (only BPE)");
    const auto& vocab = require(m, "vocab", t.file, "model");
    if (!vocab.is_object())
        throw Error(t.file, "model.vocab", "must be an object of token -> id");
    t.vocab.reserve(vocab.size());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0)
            throw Error(t.file, "model.vocab[\"" + it.key() + "\"]", "id must be a non-negative integer");
        const auto id = it.value().get<int32_t>();
        t.vocab.emplace(it.key(), id);
        if (static_cast<size_t>(id) >= t.idToToken.size())
            t.idToToken.resize(static_cast<size_t>(id) + 1);
        t.idToToken[static_cast<size_t>(id)] = it.key();
    }
    t.byteFallback = m.value("byte_fallback", false);
    t.ignoreMerges = m.value("ignore_merges", false);
    if (m.contains("unk_token") && m["unk_token"].is_string())
        if (auto it = t.vocab.find(m["unk_token"].get<std::string>()); it != t.vocab.end())
            t.unkId = it->second;
    if (!m.value("continuing_subword_prefix", nlohmann::json()).is_null() &&
        !m["continuing_subword_prefix"].get<std::string>().empty())
        throw Error(t.file, "model.continuing_subword_prefix", "unsupported");

    const auto& merges = require(m, "merges", t.file, "model");
    t.merges.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& entry = merges[rank];
        const std::string place = "model.merges[" + std::to_string(rank) + "]";
        std::string a, b;
        if (entry.is_string()) { // "a b"
            const std::string s = entry.get<std::string>();
            const size_t space = s.find(' ', 1);
            if (space == std::string::npos)
                throw Error(t.file, place, "expected \"left right\"");
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else if (entry.is_array() && entry.size() == 2) { // ["a", "b"]
            a = entry[0].get<std::string>();
            b = entry[1].get<std::string>();
        } else {
            throw Error(t.file, place, "expected \"left right\" or [left, right]");
        }
        auto ia = t.vocab.find(a), ib = t.vocab.find(b), iab = t.vocab.find(a + b);
        if (ia == t.vocab.end() || ib == t.vocab.end() || iab == t.vocab.end())
            throw Error(t.file, place, "merge of tokens not in the vocabulary: \"" + a + "\" \"" + b + "\"");
        t.merges.emplace(pairKey(ia->second, ib->second),
                         std::make_pair(static_cast<int32_t>(rank), iab->second));
    }
}

void finishByteTables(Tokenizer::Impl& t)
{
    if (t.byteLevel) {
        const auto& alphabet = byteAlphabet();
        for (int b = 0; b < 256; ++b) {
            auto it = t.vocab.find(alphabet.byteToChar[static_cast<size_t>(b)]);
            if (it == t.vocab.end())
                throw Error(t.file, "model.vocab",
                            "byte-level vocabulary lacks the token for byte " + std::to_string(b));
            t.byteIds[static_cast<size_t>(b)] = it->second;
        }
    }
    if (t.byteFallback) {
        for (int b = 0; b < 256; ++b) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            auto it = t.vocab.find(name);
            if (it == t.vocab.end())
                throw Error(t.file, "model.vocab", std::string("byte_fallback needs token ") + name);
            t.fallbackIds[static_cast<size_t>(b)] = it->second;
        }
    }
}

std::optional<int32_t> specialFromConfig(const Tokenizer::Impl& t, const nlohmann::json* config,
                                         const char* key)
{
    if (!config || !config->contains(key))
        return std::nullopt;
    const auto& v = (*config)[key];
    std::string content;
    if (v.is_string())
        content = v.get<std::string>();
    else if (v.is_object() && v.contains("content"))
        content = v["content"].get<std::string>();
    else
        return std::nullopt;
    for (const auto& a : t.added)
        if (a.content == content)
            return a.id;
    if (auto it = t.vocab.find(content); it != t.vocab.end())
        return it->second;
    return std::nullopt;
}

nlohmann::json readJsonFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path, "", "cannot read the file");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path, "byte " + std::to_string(e.byte), "invalid JSON");
    }
}

} // namespace

Tokenizer::Tokenizer(std::shared_ptr<Impl> impl)
    : impl_(std::move(impl))
{
}

Tokenizer Tokenizer::fromJson(const nlohmann::json& j, const std::string& file,
                              const nlohmann::json* config)
{
    auto t = std::make_shared<Impl>();
    t->file = file;
    t->original = j;
    try {
        loadNormalizer(*t, j.value("normalizer", nlohmann::json()), "normalizer");
        loadPreTokenizer(*t, j.value("pre_tokenizer", nlohmann::json()), "pre_tokenizer");
        checkDecoder(*t, j.value("decoder", nlohmann::json()), "decoder");
        loadModel(*t, require(j, "model", file, ""));
        finishByteTables(*t);
        if (j.contains("added_tokens")) {
            const auto& list = j["added_tokens"];
            for (size_t i = 0; i < list.size(); ++i) {
                const auto& a = list[i];
                const std::string place = "added_tokens[" + std::to_string(i) + "]";
                AddedToken token;
                token.id = require(a, "id", file, place).get<int32_t>();
                token.content = require(a, "content", file, place).get<std::string>();
                token.special = a.value("special", false);
                token.lstrip = a.value("lstrip", false);
                token.rstrip = a.value("rstrip", false);
                token.normalized = a.value("normalized", false);
                token.singleWord = a.value("single_word", false);
                t->added.push_back(std::move(token));
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(file, "", std::string("malformed tokenizer: ") + e.what());
    }
    // Longest first, so "<|im_start|>" wins over a shorter token that is its prefix.
    std::stable_sort(t->added.begin(), t->added.end(),
                     [](const AddedToken& a, const AddedToken& b) {
                         return a.content.size() > b.content.size();
                     });
    for (size_t i = 0; i < t->added.size(); ++i) {
        t->addedById[t->added[i].id] = i;
        if (!t->added[i].content.empty())
            t->addedFirstByte[static_cast<unsigned char>(t->added[i].content[0])] = true;
    }
    t->bos = specialFromConfig(*t, config, "bos_token");
    t->eos = specialFromConfig(*t, config, "eos_token");
    t->pad = specialFromConfig(*t, config, "pad_token");
    if (config && config->contains("chat_template") && (*config)["chat_template"].is_string())
        t->chatTemplate = (*config)["chat_template"].get<std::string>();
    return Tokenizer(std::move(t));
}

Tokenizer Tokenizer::fromFile(const std::string& path)
{
    return fromJson(readJsonFile(path), path);
}

Tokenizer Tokenizer::fromPath(const std::string& fileOrFolder)
{
    return std::filesystem::is_directory(fileOrFolder) ? fromDirectory(fileOrFolder) : fromFile(fileOrFolder);
}

Tokenizer Tokenizer::fromDirectory(const std::string& dir)
{
    namespace fs = std::filesystem;
    const fs::path json = fs::path(dir) / "tokenizer.json";
    if (!fs::exists(json))
        throw Error(dir, "", "no tokenizer.json in this folder");
    const fs::path configPath = fs::path(dir) / "tokenizer_config.json";
    if (fs::exists(configPath)) {
        const nlohmann::json config = readJsonFile(configPath.string());
        return fromJson(readJsonFile(json.string()), json.string(), &config);
    }
    return fromJson(readJsonFile(json.string()), json.string());
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parseSpecial) const
{
    return impl_->encode(text, parseSpecial);
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

std::vector<std::string> Tokenizer::preTokenize(std::string_view text) const
{
    validateUtf8(text);
    std::vector<std::string> pieces;
    impl_->forEachPiece(text, [&](std::string_view piece) { pieces.emplace_back(piece); });
    return pieces;
}

std::string byteLevelSymbol(uint8_t byte)
{
    return byteAlphabet().byteToChar[byte];
}

std::string Tokenizer::tokenBytes(int32_t id) const
{
    return impl_->tokenBytes(id);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecial) const
{
    std::string bytes;
    for (int32_t id : ids) {
        if (skipSpecial && isSpecial(id))
            continue;
        bytes += impl_->tokenBytes(id);
    }
    return lossyUtf8(bytes);
}

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const
{
    for (const auto& a : impl_->added)
        if (a.content == token)
            return a.id;
    if (auto it = impl_->vocab.find(std::string(token)); it != impl_->vocab.end())
        return it->second;
    return std::nullopt;
}

std::string Tokenizer::idToToken(int32_t id) const
{
    if (const AddedToken* t = impl_->addedToken(id))
        return t->content;
    if (id >= 0 && static_cast<size_t>(id) < impl_->idToToken.size())
        return impl_->idToToken[static_cast<size_t>(id)];
    return {};
}

int32_t Tokenizer::vocabSize() const
{
    return impl_->vocabSize();
}

bool Tokenizer::isSpecial(int32_t id) const
{
    const AddedToken* t = impl_->addedToken(id);
    return t && t->special;
}

const std::vector<AddedToken>& Tokenizer::addedTokens() const
{
    return impl_->added;
}

std::optional<int32_t> Tokenizer::bosId() const
{
    return impl_->bos;
}
std::optional<int32_t> Tokenizer::eosId() const
{
    return impl_->eos;
}
std::optional<int32_t> Tokenizer::padId() const
{
    return impl_->pad;
}
const std::string& Tokenizer::chatTemplateSource() const
{
    return impl_->chatTemplate;
}

nlohmann::json Tokenizer::toJson() const
{
    return impl_->original;
}

void Tokenizer::save(const std::string& path) const
{
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw Error(path, "", "cannot write the tokenizer");
    out << impl_->original.dump(2, ' ', false, nlohmann::json::error_handler_t::strict) << "\n";
}

// ---------------------------------------------------------------------------------------------

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skipSpecial)
    : tokenizer_(&tokenizer)
    , skipSpecial_(skipSpecial)
{
}

std::string StreamDecoder::push(int32_t id)
{
    if (skipSpecial_ && tokenizer_->isSpecial(id))
        return {};
    pending_ += tokenizer_->tokenBytes(id);
    const size_t complete = completeUtf8Prefix(pending_);
    std::string out = lossyUtf8(std::string_view(pending_).substr(0, complete));
    pending_.erase(0, complete);
    return out;
}

std::string StreamDecoder::finish()
{
    std::string out;
    for (size_t i = 0; i < pending_.size(); ++i)
        out += "\xEF\xBF\xBD";
    pending_.clear();
    return out;
}

} // namespace thinkbench::core
