#include "core/tokenizer/pre_tokenizer.h"

#include <optional>
#include <tuple>

namespace thinkbench::core {

namespace {

// Splits every piece by the pre-tokenizer's matches (of its regex, or runs of digits) according to
// its behaviour.
std::vector<Piece> splitPieces(std::string_view text, const std::vector<Piece>& pieces, const PreTokenizer& pre)
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
                if (isMatch && !out.empty() && out.back().end == p.begin && out.back().begin >= piece.begin)
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

} // namespace

std::vector<Piece> runPreTokenizers(std::string& text, const std::vector<PreTokenizer>& preTokenizers)
{
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
    return pieces;
}

} // namespace thinkbench::core
