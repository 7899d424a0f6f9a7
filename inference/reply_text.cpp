#include "inference/reply_text.h"

#include <algorithm>

namespace thinkbench::inference {

ReplyText::ReplyText(bool promptOpensThinking)
    : promptOpensThinking_(promptOpensThinking)
{
}

void ReplyText::append(std::string_view delta)
{
    if (reasoningOpen_) {
        text_ += "\n";
        text_ += core::kThinkClose;
        text_ += "\n\n";
        reasoningOpen_ = false;
    }
    text_ += delta;
    countToken();
}

void ReplyText::appendReasoning(std::string_view delta)
{
    if (!reasoningOpen_ && text_.empty()) {
        text_ += core::kThinkOpen;
        text_ += "\n";
        reasoningOpen_ = true;
    }
    text_ += delta; // reasoning after the answer began stays in the answer: the format has one thought
    countToken();
}

void ReplyText::countToken()
{
    if (tokenEnds_.empty())
        firstToken_ = std::chrono::steady_clock::now();
    tokenEnds_.push_back(text_.size());
}

core::ReasoningSplit ReplyText::split() const
{
    return core::splitReasoning(text_, promptOpensThinking_);
}

int ReplyText::reasoningTokens(const core::ReasoningSplit& split) const
{
    if (!split.closed && split.reasoning.empty())
        return 0; // no thought, or nothing in it yet
    return static_cast<int>(std::upper_bound(tokenEnds_.begin(), tokenEnds_.end(), split.reasoningEnd) -
                            tokenEnds_.begin());
}

double ReplyText::tokensPerSecond() const
{
    if (tokenEnds_.empty())
        return 0;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - firstToken_).count();
    return seconds > 0 ? (tokens() - 1) / seconds : 0.0;
}

} // namespace thinkbench::inference
