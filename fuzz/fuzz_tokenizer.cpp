// tokenizer.json, tokenizer_config.json and the text to encode, as three parts (fuzz_input.h):
// loading as Tokenizer::fromDirectory does, then encode, decode and streaming decode with it.

#include "core/error.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "fuzz/fuzz_input.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace {

using thinkbench::core::Error;

// As the tokenizer's own file reading does: bytes that are not JSON are an error naming the file.
nlohmann::json parseJson(std::string_view bytes, const std::string& file)
{
    try {
        return nlohmann::json::parse(bytes);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(file, "byte " + std::to_string(e.byte), "invalid JSON");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench;
    const auto parts = fuzz::splitParts(data, size);
    try {
        const nlohmann::json json = parseJson(parts[0], "tokenizer.json");
        std::optional<nlohmann::json> config;
        if (parts.size() > 1 && !parts[1].empty())
            config = parseJson(parts[1], "tokenizer_config.json");
        const core::Tokenizer tokenizer =
            core::Tokenizer::fromJson(json, "tokenizer.json", config ? &*config : nullptr);
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
