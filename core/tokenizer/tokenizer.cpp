#include "core/tokenizer/tokenizer.h"

#include "core/tokenizer/tokenizer_impl.h"

#include <algorithm>

namespace thinkbench::core {

namespace {

bool isSpace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Normalises a segment and calls found(piece) for each non-empty pre-tokenized piece.
template <typename F> void forEachPiece(const Tokenizer::Impl& t, std::string_view raw, F&& found)
{
    std::string text = t.normalizer.apply(raw);
    for (const Piece& p : runPreTokenizers(text, t.preTokenizers))
        if (p.end > p.begin)
            found(std::string_view(text).substr(p.begin, p.end - p.begin));
}

// Text between added tokens: normalised, pre-tokenized, each piece through BPE.
void encodeSegment(const Tokenizer::Impl& t, std::string_view raw, std::vector<int32_t>& out)
{
    forEachPiece(t, raw, [&](std::string_view piece) { t.model.encodeWord(piece, out); });
}

} // namespace

Tokenizer::Tokenizer(std::shared_ptr<Impl> impl)
    : impl_(std::move(impl))
{
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parseSpecial) const
{
    validateUtf8(text);
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    size_t segmentStart = 0;
    size_t i = 0;
    while (i < text.size()) {
        const AddedToken* match = impl_->added.matchAt(text, i, parseSpecial);
        if (!match) {
            ++i;
            continue;
        }
        size_t before = i;
        if (match->lstrip)
            while (before > segmentStart && isSpace(static_cast<unsigned char>(text[before - 1])))
                --before;
        if (before > segmentStart)
            encodeSegment(*impl_, text.substr(segmentStart, before - segmentStart), out);
        out.push_back(match->id);
        i += match->content.size();
        if (match->rstrip)
            while (i < text.size() && isSpace(static_cast<unsigned char>(text[i])))
                ++i;
        segmentStart = i;
    }
    if (segmentStart < text.size())
        encodeSegment(*impl_, text.substr(segmentStart), out);
    return out;
}

std::vector<std::string> Tokenizer::preTokenize(std::string_view text) const
{
    validateUtf8(text);
    std::vector<std::string> pieces;
    forEachPiece(*impl_, text, [&](std::string_view piece) { pieces.emplace_back(piece); });
    return pieces;
}

std::string Tokenizer::tokenBytes(int32_t id) const
{
    if (const AddedToken* t = impl_->added.byId(id))
        return t->content;
    return impl_->model.tokenBytes(id);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecial) const
{
    std::string bytes;
    for (int32_t id : ids) {
        if (skipSpecial && isSpecial(id))
            continue;
        bytes += tokenBytes(id);
    }
    return lossyUtf8(bytes);
}

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const
{
    for (const auto& a : impl_->added.list())
        if (a.content == token)
            return a.id;
    return impl_->model.vocab.find(token);
}

std::string Tokenizer::idToToken(int32_t id) const
{
    if (const AddedToken* t = impl_->added.byId(id))
        return t->content;
    return std::string(impl_->model.vocab.text(id));
}

int32_t Tokenizer::vocabSize() const
{
    int32_t n = impl_->model.vocab.size();
    for (const auto& t : impl_->added.list())
        n = std::max(n, t.id + 1);
    return n;
}

bool Tokenizer::isSpecial(int32_t id) const
{
    const AddedToken* t = impl_->added.byId(id);
    return t && t->special;
}

const std::vector<AddedToken>& Tokenizer::addedTokens() const
{
    return impl_->added.list();
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

} // namespace thinkbench::core
