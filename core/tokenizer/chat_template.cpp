#include "core/tokenizer/chat_template.h"

#include "core/error.h"
#include "core/text/think_tags.h"
#include "core/tokenizer/tokenizer.h"

namespace thinkbench::core {

namespace {

const char* kR1ZeroPreamble = "A conversation between User and Assistant. The user asks a question, and the Assistant "
                              "solves it. The assistant first thinks about the reasoning process in the mind and then "
                              "provides the user with the answer. The reasoning process and answer are enclosed within "
                              "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning "
                              "process here </think> <answer> answer here </answer>.";

std::string deepSeekR1(const std::vector<Message>& messages, bool addGenerationPrompt)
{
    std::string out = "<｜begin▁of▁sentence｜>";
    for (const auto& m : messages)
        if (m.role == "system")
            out += m.content;
    for (const auto& m : messages) {
        if (m.role == "user")
            out += "<｜User｜>" + m.content;
        else if (m.role == "assistant")
            out += "<｜Assistant｜>" + stripReasoning(m.content) + "<｜end▁of▁sentence｜>";
    }
    if (addGenerationPrompt)
        out += "<｜Assistant｜><think>\n";
    return out;
}

std::string qwen(const std::vector<Message>& messages, bool addGenerationPrompt)
{
    std::string out;
    for (const auto& m : messages) {
        const std::string content = m.role == "assistant" ? stripReasoning(m.content) : m.content;
        out += "<|im_start|>" + m.role + "\n" + content + "<|im_end|>\n";
    }
    if (addGenerationPrompt)
        out += "<|im_start|>assistant\n";
    return out;
}

std::string llama3(const std::vector<Message>& messages, bool addGenerationPrompt)
{
    std::string out = "<|begin_of_text|>";
    for (const auto& m : messages)
        out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + m.content + "<|eot_id|>";
    if (addGenerationPrompt)
        out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    return out;
}

std::string r1Zero(const std::vector<Message>& messages, bool addGenerationPrompt)
{
    std::string out = kR1ZeroPreamble;
    for (const auto& m : messages) {
        if (m.role == "user")
            out += " User: " + m.content + ".";
        else if (m.role == "assistant")
            out += " Assistant: " + m.content;
    }
    if (addGenerationPrompt)
        out += " Assistant:";
    return out;
}

} // namespace

ChatTemplate ChatTemplate::named(std::string_view name)
{
    if (name == "deepseek_r1")
        return ChatTemplate(Family::DeepSeekR1);
    if (name == "qwen")
        return ChatTemplate(Family::Qwen);
    if (name == "llama3")
        return ChatTemplate(Family::Llama3);
    if (name == "r1_zero")
        return ChatTemplate(Family::R1Zero);
    throw Error("", "chat_template",
                "unknown chat template \"" + std::string(name) + "\"; one of deepseek_r1, qwen, llama3, r1_zero");
}

ChatTemplate ChatTemplate::forTokenizer(const Tokenizer& tokenizer)
{
    const std::string& source = tokenizer.chatTemplateSource();
    if (source.find("<｜Assistant｜>") != std::string::npos ||
        (source.empty() && tokenizer.tokenToId("<｜Assistant｜>")))
        return ChatTemplate(Family::DeepSeekR1);
    if (source.find("<|im_start|>") != std::string::npos || (source.empty() && tokenizer.tokenToId("<|im_start|>")))
        return ChatTemplate(Family::Qwen);
    if (source.find("<|start_header_id|>") != std::string::npos ||
        (source.empty() && tokenizer.tokenToId("<|start_header_id|>")))
        return ChatTemplate(Family::Llama3);
    return ChatTemplate(Family::R1Zero);
}

std::string ChatTemplate::name() const
{
    switch (family_) {
    case Family::DeepSeekR1:
        return "deepseek_r1";
    case Family::Qwen:
        return "qwen";
    case Family::Llama3:
        return "llama3";
    case Family::R1Zero:
        return "r1_zero";
    }
    return {};
}

std::string ChatTemplate::apply(const std::vector<Message>& messages, bool addGenerationPrompt) const
{
    switch (family_) {
    case Family::DeepSeekR1:
        return deepSeekR1(messages, addGenerationPrompt);
    case Family::Qwen:
        return qwen(messages, addGenerationPrompt);
    case Family::Llama3:
        return llama3(messages, addGenerationPrompt);
    case Family::R1Zero:
        return r1Zero(messages, addGenerationPrompt);
    }
    return {};
}

} // namespace thinkbench::core
