#include "core/gguf/gguf_tokenizer.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

namespace thinkbench::core {

namespace {

// llama.cpp's token types (llama_token_type).
constexpr int64_t kUnused = 5;
constexpr int64_t kControl = 3;
constexpr int64_t kUserDefined = 4;

nlohmann::json split(const char* regex)
{
    return {{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}};
}

// The pre-tokenizer of each tokenizer.ggml.pre, as the model's tokenizer.json states it (the
// publishers' patterns, which llama.cpp's table transcribes).
struct PreTokenizerSpec {
    nlohmann::json normalizer;
    nlohmann::json preTokenizer;
};

PreTokenizerSpec preTokenizer(const std::string& pre, const std::string& path)
{
    const nlohmann::json byteLevel = {
        {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
    auto sequence = [&](std::vector<nlohmann::json> splits) {
        splits.push_back(byteLevel);
        return nlohmann::json{{"type", "Sequence"}, {"pretokenizers", splits}};
    };
    if (pre == "qwen2" || pre == "deepseek-r1-qwen") // Qwen2's tokenizer.json: NFC, then one split
        return {
            {{"type", "NFC"}},
            sequence({split(
                R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)")})};
    if (pre == "llama-bpe" || pre == "llama3")
        return {
            nullptr,
            sequence({split(
                R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)")})};
    if (pre == "deepseek-v3")
        return {nullptr, sequence({split(R"(\p{N}{1,3})"), split("[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"),
                                   split(R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^)"
                                         "\r\n"
                                         R"(\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[)"
                                         "\r\n"
                                         R"(]*|\s*[)"
                                         "\r\n"
                                         R"(]+|\s+(?!\S)|\s+)")})};
    if (pre == "gpt-2" || pre == "default")
        return {nullptr, {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}};
    throw Error(path, "tokenizer.ggml.pre",
                "unsupported pre-tokenizer \"" + pre + "\" (qwen2, deepseek-r1-qwen, llama-bpe, deepseek-v3, gpt-2)");
}

} // namespace

Tokenizer ggufTokenizer(const GgufFile& file)
{
    const std::string& path = file.path();
    const std::string& model = file.string("tokenizer.ggml.model");
    if (model != "gpt2")
        throw Error(path, "tokenizer.ggml.model", "unsupported \"" + model + "\" (only gpt2: byte-level BPE)");
    const auto& tokens = file.array("tokenizer.ggml.tokens", GgufValueType::String);
    const std::vector<GgufValue>* types = file.find("tokenizer.ggml.token_type")
                                              ? &file.array("tokenizer.ggml.token_type", GgufValueType::Int32)
                                              : nullptr;
    if (types && types->size() != tokens.size())
        throw Error(path, "tokenizer.ggml.token_type",
                    std::to_string(types->size()) + " types for " + std::to_string(tokens.size()) + " tokens");

    nlohmann::json vocab = nlohmann::json::object();
    nlohmann::json added = nlohmann::json::array();
    for (size_t id = 0; id < tokens.size(); ++id) {
        const int64_t type = types ? (*types)[id].integer : 1;
        if (type == kUnused) // padding rows of the embedding, no text
            continue;
        const std::string& text = tokens[id].text;
        vocab.emplace(text, id); // a text listed twice keeps its first id, as a tokenizer.json map does
        if (type == kControl || type == kUserDefined)
            added.push_back({{"id", id},
                             {"content", text},
                             {"special", type == kControl},
                             {"single_word", false},
                             {"lstrip", false},
                             {"rstrip", false},
                             {"normalized", false}});
    }
    nlohmann::json merges = nlohmann::json::array();
    if (file.find("tokenizer.ggml.merges"))
        for (const GgufValue& merge : file.array("tokenizer.ggml.merges", GgufValueType::String))
            merges.push_back(merge.text);

    const std::string pre = file.find("tokenizer.ggml.pre") ? file.string("tokenizer.ggml.pre") : "default";
    PreTokenizerSpec spec = preTokenizer(pre, path);
    const nlohmann::json json = {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer", spec.normalizer},
        {"pre_tokenizer", spec.preTokenizer},
        {"decoder",
         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
        {"model",
         {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}, {"byte_fallback", false}, {"ignore_merges", false}}},
    };
    // Special tokens by id, as tokenizer_config.json names them by content.
    nlohmann::json config = nlohmann::json::object();
    for (const auto& [key, name] :
         {std::pair{"tokenizer.ggml.bos_token_id", "bos_token"}, std::pair{"tokenizer.ggml.eos_token_id", "eos_token"},
          std::pair{"tokenizer.ggml.padding_token_id", "pad_token"}}) {
        if (!file.find(key))
            continue;
        const int64_t id = file.integer(key);
        if (id < 0 || static_cast<size_t>(id) >= tokens.size())
            throw Error(path, key, "id " + std::to_string(id) + " is not a token");
        config[name] = tokens[static_cast<size_t>(id)].text;
    }
    if (file.find("tokenizer.chat_template"))
        config["chat_template"] = file.string("tokenizer.chat_template");
    try {
        return Tokenizer::fromJson(json, path, &config);
    } catch (const nlohmann::json::exception& e) { // a token that is not UTF-8
        throw Error(path, "tokenizer.ggml.tokens", std::string("malformed: ") + e.what());
    }
}

} // namespace thinkbench::core
