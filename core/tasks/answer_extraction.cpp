#include "core/tasks/answer_extraction.h"

#include "core/text/think_tags.h"
#include "core/text/trim.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <vector>

namespace thinkbench::core {

const char* extractionRuleName(ExtractionRule rule)
{
    switch (rule) {
    case ExtractionRule::Boxed:
        return "boxed";
    case ExtractionRule::AnswerTag:
        return "answer_tag";
    case ExtractionRule::FinalAnswerPhrase:
        return "final_answer_phrase";
    case ExtractionRule::LastNumber:
        return "last_number";
    case ExtractionRule::None:
        return "none";
    }
    return "none";
}

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// ECMAScript's \s.
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

size_t skipSpaces(std::string_view s, size_t at)
{
    while (at < s.size() && isSpace(s[at]))
        ++at;
    return at;
}

// Where the regex "[^\n]+" can start when white space runs from `from` to the end of the text:
// backtracking gives characters back from the end, so the last one that is not a line break.
std::optional<size_t> lastNonBreak(std::string_view s, size_t from)
{
    for (size_t at = s.size(); at > from; --at)
        if (s[at - 1] != '\n')
            return at - 1;
    return std::nullopt;
}

// Where the answer after a phrase starts, as "\s*(?:is|:)\s*:?\s*([^\n]+)" would capture it from
// `at`; nullopt when that does not match there.
std::optional<size_t> phraseAnswerStart(std::string_view text, std::string_view lowered, size_t at)
{
    at = skipSpaces(text, at);
    if (lowered.compare(at, 2, "is") == 0)
        at += 2;
    else if (at < text.size() && text[at] == ':')
        ++at;
    else
        return std::nullopt;
    const size_t afterSpaces = skipSpaces(text, at);
    if (afterSpaces == text.size())
        return lastNonBreak(text, at);
    if (text[afterSpaces] != ':')
        return afterSpaces;
    const size_t afterColon = skipSpaces(text, afterSpaces + 1);
    if (afterColon < text.size())
        return afterColon;
    return lastNonBreak(text, afterSpaces + 1).value_or(afterSpaces); // else ":" itself starts it
}

// The last match of "(?:final answer|the answer)\s*(?:is|:)\s*:?\s*([^\n]+)" (case-insensitive),
// matches taken left to right without overlap as std::sregex_iterator does.
std::optional<std::string> lastPhraseAnswer(std::string_view text)
{
    std::string lowered(text);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::string_view phrases[] = {"final answer", "the answer"};
    size_t next[] = {lowered.find(phrases[0]), lowered.find(phrases[1])};
    std::optional<std::string> last;
    for (size_t from = 0;;) {
        for (int p = 0; p < 2; ++p)
            if (next[p] != std::string::npos && next[p] < from)
                next[p] = lowered.find(phrases[p], from);
        const int p = next[0] <= next[1] ? 0 : 1;
        if (next[p] == std::string::npos)
            return last;
        const auto start = phraseAnswerStart(text, lowered, next[p] + phrases[p].size());
        if (!start) {
            from = next[p] + 1;
            continue;
        }
        const size_t end = std::min(text.find('\n', *start), text.size());
        last = std::string(text.substr(*start, end - *start));
        from = end;
    }
}

// The last match of "-?\d[\d,]*(?:\.\d+)?(?:/\d+)?", matches taken left to right.
std::string lastNumber(std::string_view s)
{
    std::string_view last;
    for (size_t i = 0; i < s.size();) {
        const bool negative = s[i] == '-' && i + 1 < s.size() && isDigit(s[i + 1]);
        if (!negative && !isDigit(s[i])) {
            ++i;
            continue;
        }
        size_t j = i + (negative ? 2 : 1);
        while (j < s.size() && (isDigit(s[j]) || s[j] == ','))
            ++j;
        for (const char separator : {'.', '/'})
            if (j + 1 < s.size() && s[j] == separator && isDigit(s[j + 1]))
                for (++j; j < s.size() && isDigit(s[j]);)
                    ++j;
        last = s.substr(i, j - i);
        i = j;
    }
    return std::string(last);
}

} // namespace

std::optional<std::string> lastBoxed(std::string_view text)
{
    constexpr std::string_view kBoxed = "\\boxed";
    struct Box {
        size_t open; // the '{', or where "\boxed 5" starts
        bool braced;
    };
    std::vector<Box> boxes;
    std::unordered_map<size_t, size_t> closeOf; // a box's '{' -> its '}'
    for (size_t at = text.find(kBoxed); at != std::string_view::npos; at = text.find(kBoxed, at + 1)) {
        size_t i = at + kBoxed.size();
        while (i < text.size() && text[i] == ' ')
            ++i;
        if (i < text.size() && text[i] == '{') {
            boxes.push_back({i, true});
            closeOf[i] = std::string_view::npos;
        } else if (i > at + kBoxed.size() && i < text.size()) {
            boxes.push_back({i, false});
        }
    }
    if (boxes.empty())
        return std::nullopt;
    // Every brace matched in one pass: a box is complete when its '{' is closed.
    std::vector<size_t> open;
    for (size_t j = boxes.front().open; j < text.size(); ++j) {
        if (text[j] == '{') {
            open.push_back(j);
        } else if (text[j] == '}' && !open.empty()) {
            if (auto it = closeOf.find(open.back()); it != closeOf.end())
                it->second = j;
            open.pop_back();
        }
    }
    for (auto box = boxes.rbegin(); box != boxes.rend(); ++box) {
        if (!box->braced) { // "\boxed 5": up to the next space or $
            const size_t end = text.find_first_of(" $\n", box->open);
            return trimmed(text.substr(box->open, end == std::string_view::npos ? end : end - box->open));
        }
        if (const size_t close = closeOf[box->open]; close != std::string_view::npos)
            return trimmed(text.substr(box->open + 1, close - box->open - 1));
    }
    return std::nullopt;
}

Extraction extractAnswer(std::string_view response)
{
    if (auto boxed = lastBoxed(response))
        return {*boxed, ExtractionRule::Boxed};
    const size_t close = response.rfind(kAnswerClose);
    if (close != std::string_view::npos) {
        const size_t open = response.rfind(kAnswerOpen, close);
        if (open != std::string_view::npos) {
            const size_t content = open + kAnswerOpen.size();
            return {trimmed(response.substr(content, close - content)), ExtractionRule::AnswerTag};
        }
    }
    if (const auto phrase = lastPhraseAnswer(response)) {
        std::string answer = trimmed(*phrase);
        while (!answer.empty() && (answer.back() == '.' || answer.back() == '!'))
            answer.pop_back();
        return {answer, ExtractionRule::FinalAnswerPhrase};
    }
    if (std::string number = lastNumber(response); !number.empty())
        return {number, ExtractionRule::LastNumber};
    return {"", ExtractionRule::None};
}

} // namespace thinkbench::core
