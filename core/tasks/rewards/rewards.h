#pragma once
// Rule-based rewards of the R1 recipe: accuracy (only where the template puts the answer), format,
// language consistency, DAPO's overlong penalty and a repetition penalty. Every component is
// returned separately so each can be logged; the total is their weighted sum.

#include "core/enum_names.h"
#include "core/text/think_tags.h"

#include <map>
#include <string>
#include <string_view>

namespace thinkbench::core {

// The script reasoning should be written in (the language-consistency reward).
enum class Script { Latin, Han, Any };
inline constexpr EnumName<Script> kScriptNames[] = {
    {Script::Latin, "latin"}, {Script::Han, "han"}, {Script::Any, "any"}};
constexpr std::span<const EnumName<Script>> enumNames(Script)
{
    return kScriptNames;
}

// The reward components' weights and parameters, as a GRPO stage's [rewards] table sets them.
struct RewardSettings {
    double accuracy = 1.0;
    double format = 0.2;
    double language = 0.0;
    double length = 0.0;
    double repetition = 0.0;
    bool strict_format = false;
    Script target_script = Script::Latin;
    int overlong_buffer = 32; // DAPO: the penalty ramps from 0 to -1 over the last N tokens
    int repetition_ngram = 4;

    template <typename V> void visit(V& v); // the field list, in core/recipe/recipe.cpp
};

struct RewardParts {
    std::map<std::string, double> parts; // accuracy, format, language, length, repetition
    double total = 0;
    bool correct = false;
    bool wellFormed = false;
    std::string extracted;
};

// completion: the model's text after the prompt; tokens: its length in tokens; task: the task
// family (countdown answers are checked as expressions).
// format: where the chat template puts the thought and the answer, and the generation's token
// limit (DAPO's overlong penalty measures against it).
RewardParts computeRewards(std::string_view completion, int tokens, std::string_view truth, std::string_view task,
                           const RewardSettings& settings, const ResponseFormat& format);

// Share of letters in the reasoning that belong to the target script (1 when it has none).
double languageConsistency(std::string_view text, Script target);
// Share of repeated n-grams of words (0: none repeated).
double repetitionRate(std::string_view text, int n);

} // namespace thinkbench::core
