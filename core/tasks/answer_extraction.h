#pragma once
// Finding the final answer in a response, recording which rule fired. Linear in the response's
// length whatever it holds (a million digits, 100,000 nested \boxed{): no regex runs over it.

#include <optional>
#include <string>
#include <string_view>

namespace thinkbench::core {

enum class ExtractionRule { Boxed, AnswerTag, FinalAnswerPhrase, LastNumber, None };
const char* extractionRuleName(ExtractionRule rule);

struct Extraction {
    std::string answer;
    ExtractionRule rule = ExtractionRule::None;
};

// The last \boxed{...} (nested braces; also "\boxed 5"), else the last <answer>...</answer>, else
// the text after the last "final answer is" / "the answer is", else the last number.
Extraction extractAnswer(std::string_view response);

// The content of the last complete \boxed{...} in text, if any.
std::optional<std::string> lastBoxed(std::string_view text);

} // namespace thinkbench::core
