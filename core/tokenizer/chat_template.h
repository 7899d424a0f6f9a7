#pragma once
// Chat templates of the supported model families, implemented natively (no Jinja): DeepSeek-R1
// distills, Qwen ChatML, Llama 3, and the R1-Zero training template of the DeepSeek-R1 paper.

#include "core/text/think_tags.h"

#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

class Tokenizer;

struct Message {
    std::string role; // system | user | assistant
    std::string content;
};

class ChatTemplate {
public:
    enum class Family { DeepSeekR1, Qwen, Llama3, R1Zero };

    explicit ChatTemplate(Family family)
        : family_(family)
    {
    }
    // By name: deepseek_r1, qwen, llama3, r1_zero. Throws core::Error for another name.
    static ChatTemplate named(std::string_view name);
    // The family a tokenizer's chat_template source and special tokens point to; a tokenizer
    // with none of them gets the R1-Zero plain-text template.
    static ChatTemplate forTokenizer(const Tokenizer& tokenizer);

    Family family() const { return family_; }
    std::string name() const;
    // The prompt text; special tokens in it are meant to be parsed (encode(text, true)).
    // With addGenerationPrompt the text ends where the assistant's reply begins (DeepSeek-R1
    // distills: right after "<think>\n", so the model starts inside its reasoning).
    std::string apply(const std::vector<Message>& messages, bool addGenerationPrompt = true) const;
    // Whether apply() already opened the thought, so a completion starts inside <think>.
    bool opensThinking() const { return family_ == Family::DeepSeekR1; }
    // Where completions under this template put the thought and the answer; maxTokens: the
    // generation's limit.
    ResponseFormat responseFormat(int maxTokens) const
    {
        return {family_ == Family::R1Zero ? AnswerPlacement::AnswerTag : AnswerPlacement::AfterThink, opensThinking(),
                maxTokens};
    }

private:
    Family family_;
};

} // namespace thinkbench::core
