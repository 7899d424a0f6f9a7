// tokenizer.json, tokenizer_config.json and the text to encode, as three parts (fuzz_input.h):
// the two files loaded from a folder by Tokenizer::fromDirectory, then encode, decode and
// streaming decode with what loaded.

#include "core/error.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "fuzz/fuzz_input.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench;
    static const fuzz::ScratchFolder folder;
    folder.clear();
    const auto parts = fuzz::splitParts(data, size);
    folder.write("tokenizer.json", parts[0]);
    if (parts.size() > 1 && !parts[1].empty())
        folder.write("tokenizer_config.json", parts[1]);
    try {
        const core::Tokenizer tokenizer = core::Tokenizer::fromDirectory(folder.path());
        core::ChatTemplate::forTokenizer(tokenizer);
        const std::string_view text = parts.size() > 2 ? parts[2] : std::string_view("Hello, world! 123 <think>");
        for (bool special : {false, true}) {
            const std::vector<int32_t> ids = tokenizer.encode(text, special);
            tokenizer.decode(ids, special);
            core::StreamDecoder stream(tokenizer, special);
            for (int32_t id : ids)
                stream.push(id);
            stream.finish();
        }
        tokenizer.preTokenize(text);
        // Ids the file names but encoding never produced, and ids outside the vocabulary.
        for (int32_t id : {-1, 0, tokenizer.vocabSize() - 1, tokenizer.vocabSize()}) {
            tokenizer.idToToken(id);
            tokenizer.tokenBytes(id);
        }
    } catch (const core::Error&) {
    }
    return 0;
}
