#include "core/tasks/rewards/rewards.h"

#include "core/tasks/verifier.h"
#include "core/text/think_tags.h"
#include "core/text/trim.h"

#include <utf8proc.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

namespace thinkbench::core {

namespace {

struct Parsed {
    bool wellFormed = false; // strict: one thought, then exactly the answer part
    bool softFormed = false; // lenient: the thought is closed and an answer part follows
    std::string reasoning;
    std::string answerPart; // where the template puts the answer, or empty
};

Parsed parse(std::string_view completion, const ResponseFormat& format)
{
    Parsed p;
    // Strict: the whole completion is one thought, opened first and closed once.
    const std::string text =
        format.promptOpensThinking ? std::string(kThinkOpen) + std::string(completion) : std::string(completion);
    const std::string t = trimmed(text);
    if (countOccurrences(t, kThinkOpen) != 1 || countOccurrences(t, kThinkClose) != 1 || !t.starts_with(kThinkOpen))
        return p; // nested, repeated, missing or late thoughts: no answer part counts
    const ReasoningSplit split = splitReasoning(t, false);
    p.reasoning = split.reasoning;
    const std::string& after = split.answer;
    if (p.reasoning.empty())
        return p; // an empty thought is not reasoning
    if (format.placement == AnswerPlacement::AnswerTag) {
        if (countOccurrences(after, kAnswerOpen) != 1 || countOccurrences(after, kAnswerClose) != 1)
            return p;
        const size_t open = after.find(kAnswerOpen), end = after.find(kAnswerClose);
        if (end < open)
            return p;
        const size_t content = open + kAnswerOpen.size();
        p.answerPart = trimmed(std::string_view(after).substr(content, end - content));
        p.softFormed = !p.answerPart.empty();
        p.wellFormed = p.softFormed && open == 0 && end + kAnswerClose.size() == after.size();
    } else {
        p.answerPart = after;
        p.softFormed = !after.empty();
        p.wellFormed = p.softFormed && after.find(kAnswerOpen) == std::string::npos;
    }
    return p;
}

bool inScript(utf8proc_int32_t cp, Script script)
{
    if (script == Script::Han)
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
    return cp < 0x250; // latin: ASCII and Latin-1/Extended-A/B
}

} // namespace

double languageConsistency(std::string_view text, Script targetScript)
{
    if (targetScript == Script::Any)
        return 1.0;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t i = 0, size = static_cast<utf8proc_ssize_t>(text.size());
    size_t letters = 0, target = 0;
    while (i < size) {
        utf8proc_int32_t cp;
        const auto len = utf8proc_iterate(p + i, size - i, &cp);
        if (len <= 0) {
            ++i;
            continue;
        }
        i += len;
        const auto category = utf8proc_category(cp);
        if (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) {
            ++letters;
            target += inScript(cp, targetScript);
        }
    }
    return letters == 0 ? 1.0 : static_cast<double>(target) / static_cast<double>(letters);
}

double repetitionRate(std::string_view text, int n)
{
    std::istringstream in{std::string(text)};
    std::vector<std::string> words;
    for (std::string w; in >> w;)
        words.push_back(w);
    if (static_cast<int>(words.size()) < n + 1)
        return 0.0;
    std::set<std::vector<std::string>> seen;
    size_t repeated = 0, total = 0;
    for (size_t i = 0; i + static_cast<size_t>(n) <= words.size(); ++i) {
        std::vector<std::string> gram(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i) + n);
        ++total;
        repeated += !seen.insert(std::move(gram)).second;
    }
    return static_cast<double>(repeated) / static_cast<double>(total);
}

RewardParts computeRewards(std::string_view completion, int tokens, std::string_view truth, std::string_view task,
                           const RewardSettings& c, const ResponseFormat& format)
{
    RewardParts r;
    const Parsed p = parse(completion, format);
    r.wellFormed = p.wellFormed;
    // Accuracy: only an answer where the template puts it; one inside the thought never counts.
    if (!p.answerPart.empty()) {
        // Inside <answer>, the whole content is the answer (a \boxed{} in it still wins).
        const Verdict v = verify(format.placement == AnswerPlacement::AnswerTag
                                     ? std::string(kAnswerOpen) + p.answerPart + std::string(kAnswerClose)
                                     : p.answerPart,
                                 truth, task);
        r.extracted = v.extracted;
        r.correct = v.correct;
    }
    r.parts["accuracy"] = r.correct ? 1.0 : 0.0;
    r.parts["format"] = (c.strict_format ? p.wellFormed : p.softFormed) ? 1.0 : 0.0;
    r.parts["language"] = p.reasoning.empty() ? 0.0 : languageConsistency(p.reasoning, c.target_script);
    // DAPO overlong shaping: 0 until max - buffer tokens, then linearly down to -1 at max.
    const int threshold = format.maxTokens - c.overlong_buffer;
    r.parts["length"] = tokens <= threshold ? 0.0
                        : tokens >= format.maxTokens
                            ? -1.0
                            : -static_cast<double>(tokens - threshold) / std::max(1, c.overlong_buffer);
    r.parts["repetition"] = -repetitionRate(completion, c.repetition_ngram);
    r.total = c.accuracy * r.parts["accuracy"] + c.format * r.parts["format"] + c.language * r.parts["language"] +
              c.length * r.parts["length"] + c.repetition * r.parts["repetition"];
    return r;
}

} // namespace thinkbench::core
