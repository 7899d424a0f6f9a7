#include "core/tokenizer/tokenizer.h"

#include "core/tokenizer/utf8.h"

namespace thinkbench::core {

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
