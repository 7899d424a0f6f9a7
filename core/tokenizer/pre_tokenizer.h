#pragma once
// Pre-tokenization: normalised text cut into the pieces BPE encodes one at a time, by the
// pre-tokenizers of tokenizer.json in order: Split (a regex, and what becomes of its matches),
// ByteLevel (GPT-2's pattern, an optional leading space) and Digits.

#include "core/tokenizer/pcre_regex.h"

#include <memory>
#include <string>
#include <vector>

namespace thinkbench::core {

// The pattern ByteLevel splits with when its use_regex is set.
inline constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// A piece of text during pre-tokenization: [begin, end) of the segment being encoded.
struct Piece {
    size_t begin, end;
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// One pre-tokenizer as tokenizer.json configures it (a Sequence is read as its members in order).
struct PreTokenizer {
    enum class Kind { Split, ByteLevel, Digits } kind;
    std::unique_ptr<Regex> regex;
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    bool addPrefixSpace = false;
    bool individualDigits = false;
    bool useRegex = false;
};

// The pieces of `text` after every pre-tokenizer, some possibly empty. A ByteLevel pre-tokenizer
// with add_prefix_space puts a space in front of `text` when it has none.
std::vector<Piece> runPreTokenizers(std::string& text, const std::vector<PreTokenizer>& preTokenizers);

} // namespace thinkbench::core
