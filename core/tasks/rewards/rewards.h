#pragma once
// Rule-based rewards of the R1 recipe: accuracy (only where the template puts the answer), format,
// language consistency, DAPO's overlong penalty and a repetition penalty. Every component is
// returned separately so each can be logged; the total is their weighted sum.

#include <map>
#include <string>
#include <string_view>

namespace thinkbench::core {

enum class AnswerPlacement {
    AnswerTag,  // R1-Zero template: the answer sits in <answer>...</answer> after </think>
    AfterThink, // R1 distill template: the answer is whatever follows </think>
};

struct RewardConfig {
    double accuracy = 1.0;
    double format = 0.2;
    double language = 0.0;
    double length = 0.0;
    double repetition = 0.0;
    bool strictFormat = false;
    AnswerPlacement placement = AnswerPlacement::AnswerTag;
    bool promptOpensThinking = false; // the completion starts inside <think>
    std::string targetScript = "latin"; // latin | han | any
    int maxTokens = 256;     // DAPO: the generation limit
    int overlongBuffer = 32; // penalty ramps from 0 to -1 over the last overlongBuffer tokens
    int repetitionNgram = 4;
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
RewardParts computeRewards(std::string_view completion, int tokens, std::string_view truth,
                           std::string_view task, const RewardConfig& config);

// Share of letters in the reasoning that belong to the target script (1 when it has none).
double languageConsistency(std::string_view text, std::string_view targetScript);
// Share of repeated n-grams of words (0: none repeated).
double repetitionRate(std::string_view text, int n);

} // namespace thinkbench::core
