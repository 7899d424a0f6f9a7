#include "inference/serving/reasoning_stream.h"

#include "core/text/think_tags.h"

namespace thinkbench::inference::serving {

namespace {

// s without its longest tail that is a proper prefix of a guard.
std::string_view settled(std::string_view s, const std::vector<std::string>& guards)
{
    size_t hold = 0;
    for (const auto& guard : guards)
        for (size_t n = std::min(guard.size() - 1, s.size()); n > hold; --n)
            if (s.ends_with(std::string_view(guard).substr(0, n))) {
                hold = n;
                break;
            }
    return s.substr(0, s.size() - hold);
}

// The part of `now` after what was sent; nothing while `now` does not extend it.
std::string after(std::string_view now, size_t& sent)
{
    if (now.size() <= sent)
        return {};
    std::string delta(now.substr(sent));
    sent = now.size();
    return delta;
}

} // namespace

ReasoningStream::ReasoningStream(bool promptOpensThinking, std::vector<std::string> stopStrings)
    : promptOpensThinking_(promptOpensThinking)
    , stops_(std::move(stopStrings))
{
    std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
    guards_ = stops_;
    guards_.emplace_back(core::kThinkOpen);
    guards_.emplace_back(core::kThinkClose);
}

ReplyDelta ReasoningStream::advance(const std::string& reasoning, const std::string& answer)
{
    ReplyDelta delta;
    delta.reasoning = after(reasoning, sentReasoning_);
    // No answer goes out before the reasoning is complete: reasoning first, as the API does.
    if (sentReasoning_ == reasoning.size())
        delta.content = after(answer, sentContent_);
    return delta;
}

ReplyDelta ReasoningStream::push(std::string_view textDelta)
{
    text_ += textDelta;
    std::string_view text = text_;
    for (const auto& stop : stops_) // a whole stop string ends the text, as in the engine
        text = text.substr(0, std::min(text.size(), text.find(stop)));
    const core::ReasoningSplit split = core::splitReasoning(settled(text, guards_), promptOpensThinking_);
    // While the thought is open its end may still be trimmed whitespace: the answer waits for it.
    return advance(split.reasoning, split.closed || split.reasoningEnd == std::string::npos ? split.answer : "");
}

ReplyDelta ReasoningStream::finish(const GenerationResult& result)
{
    return advance(result.reasoning, result.answer);
}

} // namespace thinkbench::inference::serving
