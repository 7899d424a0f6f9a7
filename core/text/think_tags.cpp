#include "core/text/think_tags.h"

#include "core/text/trim.h"

namespace thinkbench::core {

ReasoningSplit splitReasoning(std::string_view completion, bool promptOpensThinking)
{
    ReasoningSplit split;
    std::string_view text = completion;
    size_t offset = 0; // of `text` in the completion
    bool opened = promptOpensThinking;
    const size_t firstContent = text.find_first_not_of(kWhiteSpace);
    if (firstContent != std::string_view::npos && text.substr(firstContent).starts_with(kThinkOpen)) {
        offset = firstContent + kThinkOpen.size();
        text = text.substr(offset);
        opened = true;
    }
    const size_t close = text.find(kThinkClose);
    if (close != std::string_view::npos) {
        split.closed = true;
        split.reasoningEnd = offset + close;
        split.reasoning = trimmed(text.substr(0, close));
        split.answer = trimmed(text.substr(close + kThinkClose.size()));
    } else if (opened) {
        split.reasoningEnd = completion.size();
        split.reasoning = trimmed(text);
    } else {
        split.answer = trimmed(text);
    }
    return split;
}

bool promptOpensThinking(std::string_view prompt)
{
    return trimmed(prompt).ends_with(kThinkOpen);
}

size_t countOccurrences(std::string_view text, std::string_view tag)
{
    size_t n = 0;
    for (size_t at = text.find(tag); at != std::string_view::npos; at = text.find(tag, at + tag.size()))
        ++n;
    return n;
}

std::string stripReasoning(std::string_view content)
{
    const size_t close = content.rfind(kThinkClose);
    if (close == std::string_view::npos)
        return std::string(content);
    std::string_view rest = content.substr(close + kThinkClose.size());
    while (!rest.empty() && (rest.front() == '\n' || rest.front() == ' '))
        rest.remove_prefix(1);
    return std::string(rest);
}

} // namespace thinkbench::core
