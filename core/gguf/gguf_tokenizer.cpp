#include "core/gguf/gguf_tokenizer.h"

#include "core/error.h"
#include "core/tokenizer/pre_tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace thinkbench::core {

namespace {

// llama.cpp's token types (llama_token_type).
constexpr int64_t kNormal = 1;
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
    if (pre == "gpt-2")
        return {nullptr, {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}};
    throw Error(path, "tokenizer.ggml.pre",
                "unsupported pre-tokenizer \"" + pre + "\" (qwen2, deepseek-r1-qwen, llama-bpe, deepseek-v3, gpt-2)");
}

// The Split patterns of a pre-tokenizer, in order (a Sequence's members, a ByteLevel's own regex).
std::vector<std::string> splitPatterns(const nlohmann::json& p)
{
    std::vector<std::string> out;
    if (!p.is_object())
        return out;
    if (p.value("type", "") == "Sequence" && p.contains("pretokenizers"))
        for (const auto& member : p["pretokenizers"])
            for (std::string& pattern : splitPatterns(member))
                out.push_back(std::move(pattern));
    if (p.value("type", "") == "Split" && p.contains("pattern") && p["pattern"].contains("Regex"))
        out.push_back(p["pattern"]["Regex"].get<std::string>());
    if (p.value("type", "") == "ByteLevel" && p.value("use_regex", true))
        out.push_back(kGpt2Pattern);
    return out;
}

// tokenizer.ggml.pre for a tokenizer.json: the name whose pre-tokenizer splits alike.
std::string preTokenizerName(const nlohmann::json& tokenizerJson, const std::string& file)
{
    const std::vector<std::string> patterns = splitPatterns(tokenizerJson.value("pre_tokenizer", nlohmann::json()));
    for (const char* name : {"qwen2", "llama-bpe", "deepseek-v3", "gpt-2"})
        if (splitPatterns(preTokenizer(name, file).preTokenizer) == patterns)
            return name;
    throw Error(file, "pre_tokenizer", "has no GGUF pre-tokenizer name (qwen2, llama-bpe, deepseek-v3, gpt-2)");
}

} // namespace

Tokenizer ggufTokenizer(const GgufFile& file)
{
    const std::string& path = file.path();
    const std::string& model = file.string("tokenizer.ggml.model");
    if (model != "gpt2")
        throw Error(path, "tokenizer.ggml.model", "unsupported \"" + model + "\" (only gpt2: byte-level BPE)");
    const GgufArray& tokens = file.array("tokenizer.ggml.tokens", GgufValueType::String);
    const GgufArray* types = file.find("tokenizer.ggml.token_type")
                                 ? &file.array("tokenizer.ggml.token_type", GgufValueType::Int32)
                                 : nullptr;
    if (types && types->size() != tokens.size())
        throw Error(path, "tokenizer.ggml.token_type",
                    std::to_string(types->size()) + " types for " + std::to_string(tokens.size()) + " tokens");

    nlohmann::json vocab = nlohmann::json::object();
    nlohmann::json added = nlohmann::json::array();
    for (size_t id = 0; id < tokens.size(); ++id) {
        const int64_t type = types ? types->integer(id) : kNormal;
        if (type == kUnused) // padding rows of the embedding, no text
            continue;
        const std::string text(tokens.string(id));
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
    if (file.find("tokenizer.ggml.merges")) {
        const GgufArray& pairs = file.array("tokenizer.ggml.merges", GgufValueType::String);
        for (size_t i = 0; i < pairs.size(); ++i)
            merges.push_back(std::string(pairs.string(i)));
    }

    // Files from before the key split as llama.cpp's "default", which no tokenizer.json states: refused
    // rather than tokenized differently from the model's training.
    const std::string& pre = file.string("tokenizer.ggml.pre");
    PreTokenizerSpec spec = preTokenizer(pre, path);
    nlohmann::json json = {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer", spec.normalizer},
        {"pre_tokenizer", spec.preTokenizer},
        {"decoder",
         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
        {"model", {{"type", "BPE"}, {"byte_fallback", false}, {"ignore_merges", false}}},
    };
    // Moved in, not listed above: an initializer list copies, and these are tens of MB.
    json["model"]["vocab"] = std::move(vocab);
    json["model"]["merges"] = std::move(merges);
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
        config[name] = std::string(tokens.string(static_cast<size_t>(id)));
    }
    if (file.find("tokenizer.chat_template"))
        config["chat_template"] = file.string("tokenizer.chat_template");
    try {
        return Tokenizer::fromJson(json, path, &config);
    } catch (const nlohmann::json::exception& e) { // a token that is not UTF-8
        throw Error(path, "tokenizer.ggml.tokens", std::string("malformed: ") + e.what());
    }
}

Tokenizer openTokenizer(const std::string& path)
{
    return isGgufPath(path) ? ggufTokenizer(GgufFile(path)) : Tokenizer::fromPath(path);
}

void addTokenizerMetadata(GgufWriter& writer, const Tokenizer& tokenizer, int rows)
{
    const nlohmann::json json = tokenizer.toJson();
    const std::string file = "tokenizer.json";
    GgufArray tokens(GgufValueType::String), types(GgufValueType::Int32), merges(GgufValueType::String);
    for (int32_t id = 0; id < std::max(tokenizer.vocabSize(), rows); ++id) {
        std::string text = id < tokenizer.vocabSize() ? tokenizer.idToToken(id) : std::string();
        const bool added = std::any_of(tokenizer.addedTokens().begin(), tokenizer.addedTokens().end(),
                                       [&](const AddedToken& t) { return t.id == id; });
        int64_t type = added ? (tokenizer.isSpecial(id) ? kControl : kUserDefined) : kNormal;
        if (text.empty()) {
            text = "[PAD" + std::to_string(id) + "]";
            type = kUnused;
        }
        tokens.addString(text);
        types.addInteger(type);
    }
    for (const auto& merge : json.at("model").at("merges"))
        merges.addString(merge.is_string() ? merge.get<std::string>()
                                           : merge[0].get<std::string>() + " " + merge[1].get<std::string>());
    writer.add("tokenizer.ggml.model", ggufString("gpt2"));
    writer.add("tokenizer.ggml.pre", ggufString(preTokenizerName(json, file)));
    writer.add("tokenizer.ggml.tokens", ggufArray(std::move(tokens)));
    writer.add("tokenizer.ggml.token_type", ggufArray(std::move(types)));
    writer.add("tokenizer.ggml.merges", ggufArray(std::move(merges)));
    for (const auto& [key, id] : {std::pair{"tokenizer.ggml.bos_token_id", tokenizer.bosId()},
                                  std::pair{"tokenizer.ggml.eos_token_id", tokenizer.eosId()},
                                  std::pair{"tokenizer.ggml.padding_token_id", tokenizer.padId()}})
        if (id)
            writer.add(key, ggufUint32(*id));
    if (!tokenizer.chatTemplateSource().empty())
        writer.add("tokenizer.chat_template", ggufString(tokenizer.chatTemplateSource()));
}

} // namespace thinkbench::core
