// Chat-template inputs: a tokenizer_config.json chat_template source (first part, fuzz_input.h)
// picks the family, the other parts are the conversation's messages (system, user, assistant,
// user, ...). The prompt is built and encoded with special tokens parsed, and the last message is
// split into reasoning and answer as a completion would be.

#include "core/error.h"
#include "core/text/think_tags.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "fuzz/fuzz_input.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace {

using namespace thinkbench;

// A small byte-level BPE holding every family's chat tokens.
const core::Tokenizer& chatTokenizer()
{
    static const core::Tokenizer tokenizer = [] {
        core::BpeTrainerOptions options;
        options.vocabSize = 300;
        options.specialTokens = {"<｜begin▁of▁sentence｜>",
                                 "<｜end▁of▁sentence｜>",
                                 "<｜User｜>",
                                 "<｜Assistant｜>",
                                 "<|im_start|>",
                                 "<|im_end|>",
                                 "<|begin_of_text|>",
                                 "<|start_header_id|>",
                                 "<|end_header_id|>",
                                 "<|eot_id|>"};
        return core::trainByteLevelBpe({"<think>Let me check 12 + 30.</think> The answer is 42.\n"}, options);
    }();
    return tokenizer;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parts = fuzz::splitParts(data, size);
    try {
        const nlohmann::json config = {{"chat_template", parts[0]}};
        const core::Tokenizer tokenizer =
            core::Tokenizer::fromJson(chatTokenizer().toJson(), "tokenizer.json", &config);
        const core::ChatTemplate chat = core::ChatTemplate::forTokenizer(tokenizer);
        static const char* const roles[] = {"system", "user", "assistant"};
        std::vector<core::Message> messages;
        for (size_t i = 1; i < parts.size(); ++i)
            messages.push_back({roles[i == 1 ? 0 : 1 + (i - 2) % 2], std::string(parts[i])});
        for (bool generationPrompt : {true, false}) {
            const std::string prompt = chat.apply(messages, generationPrompt);
            tokenizer.decode(tokenizer.encode(prompt, true));
            const bool opens = core::promptOpensThinking(prompt);
            core::splitReasoning(parts.back(), opens);
        }
        core::stripReasoning(parts.back());
    } catch (const core::Error&) {
    }
    return 0;
}
