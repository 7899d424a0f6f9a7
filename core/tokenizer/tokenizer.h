#pragma once
// A Hugging Face `tokenizer.json` tokenizer: normalizer, pre-tokenizers, byte-level BPE, added
// tokens and decoders. One code path serves every model (Qwen, DeepSeek-V3/R1, Llama 3 and the
// small vocabularies the demo trains).

// Part of this header's API: the byte alphabet (byteLevelSymbol) and the UTF-8 helpers.
#include "core/tokenizer/byte_alphabet.h"
#include "core/tokenizer/utf8.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

struct AddedToken {
    int32_t id = 0;
    std::string content;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
    bool singleWord = false;
};

class Tokenizer {
public:
    // Throws core::Error naming the file and the JSON path of anything malformed or unsupported.
    static Tokenizer fromFile(const std::string& tokenizerJson);
    // tokenizer.json plus tokenizer_config.json (special tokens, chat template) when present.
    static Tokenizer fromDirectory(const std::string& dir);
    // A tokenizer.json or a model folder holding one: what every --tokenizer option accepts.
    static Tokenizer fromPath(const std::string& fileOrFolder);
    static Tokenizer fromJson(const nlohmann::json& tokenizerJson, const std::string& fileForErrors,
                              const nlohmann::json* tokenizerConfig = nullptr);

    // parseSpecial: whether added tokens marked special in the text become their ids (as Hugging
    // Face does by default) or are tokenized as plain text. Added tokens that are not special
    // (e.g. Qwen's <think>) are always matched. Invalid UTF-8 throws, naming the byte offset.
    std::vector<int32_t> encode(std::string_view text, bool parseSpecial = false) const;
    std::string decode(const std::vector<int32_t>& ids, bool skipSpecial = false) const;
    // The pieces the pre-tokenizers cut the (normalised) text into, before BPE; added tokens are
    // not looked for.
    std::vector<std::string> preTokenize(std::string_view text) const;
    // The bytes of one token as it contributes to decoded text (may be part of a character).
    std::string tokenBytes(int32_t id) const;

    std::optional<int32_t> tokenToId(std::string_view token) const;
    std::string idToToken(int32_t id) const;
    int32_t vocabSize() const; // highest id + 1, added tokens included
    bool isSpecial(int32_t id) const;
    const std::vector<AddedToken>& addedTokens() const;

    std::optional<int32_t> bosId() const;
    std::optional<int32_t> eosId() const;
    std::optional<int32_t> padId() const;
    // tokenizer_config.json's chat_template source, empty when none was given.
    const std::string& chatTemplateSource() const;

    nlohmann::json toJson() const;
    void save(const std::string& path) const;
    // tokenizer.json and, when the tokenizer has special tokens or a chat template,
    // tokenizer_config.json beside it — what fromDirectory reads back, as Hugging Face saves them.
    void saveDirectory(const std::string& dir) const;

    struct Impl;
    explicit Tokenizer(std::shared_ptr<Impl> impl);

private:
    std::shared_ptr<Impl> impl_;
};

// Turns a stream of token ids into text deltas that always end on a UTF-8 character boundary,
// so a token holding half of a multi-byte character prints nothing until the rest arrives.
class StreamDecoder {
public:
    explicit StreamDecoder(const Tokenizer& tokenizer, bool skipSpecial = false);
    std::string push(int32_t id); // the complete characters this token finished
    std::string finish();         // whatever is left (invalid tails as U+FFFD)

private:
    const Tokenizer* tokenizer_;
    bool skipSpecial_;
    std::string pending_;
};

} // namespace thinkbench::core
