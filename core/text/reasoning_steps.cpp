#include "core/text/reasoning_steps.h"

#include <cctype>

namespace thinkbench::core {

namespace {

bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// A separator found at or after a place: [begin, end) of the text between two steps.
struct Separator {
    size_t begin = std::string_view::npos;
    size_t end = std::string_view::npos;
};

// A line break, then white space, then another line break (the last one of the run).
Separator nextParagraphBreak(std::string_view text, size_t from)
{
    for (size_t at = text.find('\n', from); at != std::string_view::npos; at = text.find('\n', at + 1)) {
        size_t lastBreak = at;
        for (size_t i = at + 1; i < text.size() && isSpace(text[i]); ++i)
            if (text[i] == '\n')
                lastBreak = i;
        if (lastBreak > at)
            return {at, lastBreak + 1};
    }
    return {};
}

// White space after . ! or ?, or a line break.
Separator nextSentenceBreak(std::string_view text, size_t from, size_t limit)
{
    for (size_t at = from; at < limit; ++at) {
        const bool afterStop = at > 0 && (text[at - 1] == '.' || text[at - 1] == '!' || text[at - 1] == '?');
        if (afterStop && isSpace(text[at])) {
            size_t end = at;
            while (end < text.size() && isSpace(text[end]))
                ++end;
            return {at, end};
        }
        if (text[at] == '\n')
            return {at, at + 1};
    }
    return {};
}

void addTrimmed(std::vector<ReasoningStep>& steps, std::string_view text, size_t begin, size_t end)
{
    while (begin < end && isSpace(text[begin]))
        ++begin;
    while (end > begin && isSpace(text[end - 1]))
        --end;
    if (end > begin)
        steps.push_back({std::string(text.substr(begin, end - begin)), begin, end});
}

} // namespace

std::vector<ReasoningStep> splitReasoningSteps(std::string_view reasoning)
{
    std::vector<ReasoningStep> steps;
    size_t begin = 0;
    for (Separator s = nextParagraphBreak(reasoning, 0); s.begin != std::string_view::npos;
         s = nextParagraphBreak(reasoning, s.end)) {
        addTrimmed(steps, reasoning, begin, s.begin);
        begin = s.end;
    }
    addTrimmed(steps, reasoning, begin, reasoning.size());
    if (steps.size() != 1)
        return steps;

    const ReasoningStep whole = steps.front();
    steps.clear();
    begin = whole.begin;
    for (Separator s = nextSentenceBreak(reasoning, whole.begin, whole.end); s.begin != std::string_view::npos;
         s = nextSentenceBreak(reasoning, s.end, whole.end)) {
        addTrimmed(steps, reasoning, begin, s.begin);
        begin = s.end;
    }
    addTrimmed(steps, reasoning, begin, whole.end);
    return steps;
}

} // namespace thinkbench::core
