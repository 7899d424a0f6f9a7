// Reading and writing tokenizer.json (and tokenizer_config.json's special tokens and chat
// template). Errors name the file and the JSON path of what is malformed or unsupported.

#include "core/tokenizer/tokenizer.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/tokenizer/tokenizer_impl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace thinkbench::core {

namespace {

// An id sizes the id -> token table: past 2^22 (16 times the largest vocabulary in use, 262,144)
// a file is broken, not large.
constexpr int64_t kMaxTokenId = (int64_t{1} << 22) - 1;

bool isTokenId(const nlohmann::json& id)
{
    return id.is_number_integer() && id.get<int64_t>() >= 0 && id.get<int64_t>() <= kMaxTokenId;
}

const nlohmann::json& require(const nlohmann::json& j, const char* key, const std::string& file,
                              const std::string& path)
{
    if (!j.is_object() || !j.contains(key))
        throw Error(file, path.empty() ? key : path + "." + key, "missing");
    return j.at(key);
}

SplitBehavior parseBehavior(const std::string& name, const std::string& file, const std::string& place)
{
    if (name == "Removed")
        return SplitBehavior::Removed;
    if (name == "Isolated")
        return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (name == "Contiguous")
        return SplitBehavior::Contiguous;
    throw Error(file, place, "unsupported split behavior \"" + name + "\"");
}

void loadNormalizer(Tokenizer::Impl& t, const nlohmann::json& n, const std::string& path)
{
    if (n.is_null())
        return;
    const std::string type = require(n, "type", t.file, path).get<std::string>();
    if (type == "NFC") {
        t.normalizer.toNfc = true;
    } else if (type == "Sequence") {
        const auto& list = require(n, "normalizers", t.file, path);
        for (size_t i = 0; i < list.size(); ++i)
            loadNormalizer(t, list[i], path + ".normalizers[" + std::to_string(i) + "]");
    } else if (type == "Replace") {
        const auto& pattern = require(n, "pattern", t.file, path);
        if (!pattern.contains("String"))
            throw Error(t.file, path + ".pattern", "only String patterns are supported in Replace");
        t.normalizer.replacements.emplace_back(pattern["String"].get<std::string>(),
                                               require(n, "content", t.file, path).get<std::string>());
    } else {
        throw Error(t.file, path + ".type", "unsupported \"" + type + "\"");
    }
}

void loadPreTokenizer(Tokenizer::Impl& t, const nlohmann::json& p, const std::string& path)
{
    if (p.is_null())
        return;
    const std::string type = require(p, "type", t.file, path).get<std::string>();
    if (type == "Sequence") {
        const auto& list = require(p, "pretokenizers", t.file, path);
        for (size_t i = 0; i < list.size(); ++i)
            loadPreTokenizer(t, list[i], path + ".pretokenizers[" + std::to_string(i) + "]");
        return;
    }
    PreTokenizer pre;
    if (type == "Split") {
        pre.kind = PreTokenizer::Kind::Split;
        const auto& pattern = require(p, "pattern", t.file, path);
        std::string regex;
        if (pattern.contains("Regex")) {
            regex = pattern["Regex"].get<std::string>();
        } else if (pattern.contains("String")) {
            // A literal: quote it for PCRE2.
            regex = "\\Q" + pattern["String"].get<std::string>() + "\\E";
        } else {
            throw Error(t.file, path + ".pattern", "needs Regex or String");
        }
        pre.regex = std::make_unique<Regex>(regex, t.file, path + ".pattern.Regex");
        pre.behavior =
            parseBehavior(require(p, "behavior", t.file, path).get<std::string>(), t.file, path + ".behavior");
        pre.invert = p.value("invert", false);
    } else if (type == "ByteLevel") {
        pre.kind = PreTokenizer::Kind::ByteLevel;
        pre.addPrefixSpace = p.value("add_prefix_space", false);
        pre.useRegex = p.value("use_regex", true);
        pre.behavior = SplitBehavior::Isolated;
        if (pre.useRegex)
            pre.regex = std::make_unique<Regex>(kGpt2Pattern, t.file, path);
        t.model.byteLevel = true;
    } else if (type == "Digits") {
        pre.kind = PreTokenizer::Kind::Digits;
        pre.individualDigits = p.value("individual_digits", false);
    } else {
        throw Error(t.file, path + ".type", "unsupported \"" + type + "\"");
    }
    t.preTokenizers.push_back(std::move(pre));
}

void checkDecoder(Tokenizer::Impl& t, const nlohmann::json& d, const std::string& path)
{
    if (d.is_null())
        return;
    const std::string type = require(d, "type", t.file, path).get<std::string>();
    if (type == "Sequence") {
        const auto& list = require(d, "decoders", t.file, path);
        for (size_t i = 0; i < list.size(); ++i)
            checkDecoder(t, list[i], path + ".decoders[" + std::to_string(i) + "]");
    } else if (type == "ByteLevel") {
        t.model.byteLevel = true;
    } else if (type != "ByteFallback" && type != "Fuse") {
        throw Error(t.file, path + ".type", "unsupported \"" + type + "\"");
    }
}

void loadModel(Tokenizer::Impl& t, const nlohmann::json& m)
{
    const std::string type = require(m, "type", t.file, "model").get<std::string>();
    if (type != "BPE")
        throw Error(t.file, "model.type", "unsupported \"" + type + "\" (only BPE)");
    const auto& vocab = require(m, "vocab", t.file, "model");
    if (!vocab.is_object())
        throw Error(t.file, "model.vocab", "must be an object of token -> id");
    size_t bytes = 0;
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        bytes += it.key().size();
    t.model.vocab.reserve(vocab.size(), bytes);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!isTokenId(it.value()))
            throw Error(t.file, "model.vocab[\"" + it.key() + "\"]",
                        "id must be an integer in 0.." + std::to_string(kMaxTokenId));
        t.model.vocab.add(it.key(), it.value().get<int32_t>());
    }
    t.model.byteFallback = m.value("byte_fallback", false);
    t.model.ignoreMerges = m.value("ignore_merges", false);
    if (m.contains("unk_token") && m["unk_token"].is_string())
        t.model.unkId = t.model.vocab.find(m["unk_token"].get<std::string>());
    if (!m.value("continuing_subword_prefix", nlohmann::json()).is_null() &&
        !m["continuing_subword_prefix"].get<std::string>().empty())
        throw Error(t.file, "model.continuing_subword_prefix", "unsupported");

    const auto& merges = require(m, "merges", t.file, "model");
    t.mergesAsPairs = !merges.empty() && merges[0].is_array();
    t.model.merges.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& entry = merges[rank];
        const std::string place = "model.merges[" + std::to_string(rank) + "]";
        std::string a, b;
        if (entry.is_string()) { // "a b"
            const std::string s = entry.get<std::string>();
            const size_t space = s.find(' ', 1);
            if (space == std::string::npos)
                throw Error(t.file, place, "expected \"left right\"");
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else if (entry.is_array() && entry.size() == 2) { // ["a", "b"]
            a = entry[0].get<std::string>();
            b = entry[1].get<std::string>();
        } else {
            throw Error(t.file, place, "expected \"left right\" or [left, right]");
        }
        const std::optional<int32_t> ia = t.model.vocab.find(a), ib = t.model.vocab.find(b),
                                     iab = t.model.vocab.find(a + b);
        if (!ia || !ib || !iab)
            throw Error(t.file, place, "merge of tokens not in the vocabulary: \"" + a + "\" \"" + b + "\"");
        t.model.merges.emplace(BpeModel::pairKey(*ia, *ib), std::make_pair(static_cast<int32_t>(rank), *iab));
    }
}

void finishByteTables(Tokenizer::Impl& t)
{
    if (t.model.byteLevel) {
        for (int b = 0; b < 256; ++b) {
            const std::optional<int32_t> id = t.model.vocab.find(byteLevelSymbol(static_cast<uint8_t>(b)));
            if (!id)
                throw Error(t.file, "model.vocab",
                            "byte-level vocabulary lacks the token for byte " + std::to_string(b));
            t.model.byteIds[static_cast<size_t>(b)] = *id;
        }
    }
    if (t.model.byteFallback) {
        for (int b = 0; b < 256; ++b) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            const std::optional<int32_t> id = t.model.vocab.find(name);
            if (!id)
                throw Error(t.file, "model.vocab", std::string("byte_fallback needs token ") + name);
            t.model.fallbackIds[static_cast<size_t>(b)] = *id;
        }
    }
}

std::optional<int32_t> specialFromConfig(const Tokenizer::Impl& t, const nlohmann::json* config, const char* key)
{
    if (!config || !config->contains(key))
        return std::nullopt;
    const auto& v = (*config)[key];
    std::string content;
    if (v.is_string())
        content = v.get<std::string>();
    else if (v.is_object() && v.contains("content"))
        content = v["content"].get<std::string>();
    else
        return std::nullopt;
    for (const auto& a : t.added.list())
        if (a.content == content)
            return a.id;
    return t.model.vocab.find(content);
}

// The document but for model.vocab and model.merges (what Impl::original keeps).
nlohmann::json withoutTables(const nlohmann::json& j)
{
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
        return j;
    nlohmann::json rest = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "model")
            rest[it.key()] = it.value();
    nlohmann::json& model = rest["model"] = nlohmann::json::object();
    for (auto it = j["model"].begin(); it != j["model"].end(); ++it)
        if (it.key() != "vocab" && it.key() != "merges")
            model[it.key()] = it.value();
    return rest;
}

nlohmann::json readJsonFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path, "", "cannot read the file");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path, "byte " + std::to_string(e.byte), "invalid JSON");
    } catch (const nlohmann::json::exception& e) { // out_of_range: a number too large for a double
        throw Error(path, "", std::string("invalid JSON: ") + e.what());
    }
}

} // namespace

Tokenizer Tokenizer::fromJson(const nlohmann::json& j, const std::string& file, const nlohmann::json* config)
{
    auto t = std::make_shared<Impl>();
    t->file = file;
    t->original = withoutTables(j).dump(); // throws on text that is not UTF-8
    std::vector<AddedToken> added;
    try {
        loadNormalizer(*t, j.value("normalizer", nlohmann::json()), "normalizer");
        loadPreTokenizer(*t, j.value("pre_tokenizer", nlohmann::json()), "pre_tokenizer");
        checkDecoder(*t, j.value("decoder", nlohmann::json()), "decoder");
        loadModel(*t, require(j, "model", file, ""));
        finishByteTables(*t);
        if (j.contains("added_tokens")) {
            const auto& list = j["added_tokens"];
            for (size_t i = 0; i < list.size(); ++i) {
                const auto& a = list[i];
                const std::string place = "added_tokens[" + std::to_string(i) + "]";
                AddedToken token;
                if (!isTokenId(require(a, "id", file, place)))
                    throw Error(file, place + ".id", "must be an integer in 0.." + std::to_string(kMaxTokenId));
                token.id = a["id"].get<int32_t>();
                token.content = require(a, "content", file, place).get<std::string>();
                token.special = a.value("special", false);
                token.lstrip = a.value("lstrip", false);
                token.rstrip = a.value("rstrip", false);
                token.normalized = a.value("normalized", false);
                token.singleWord = a.value("single_word", false);
                added.push_back(std::move(token));
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(file, "", std::string("malformed tokenizer: ") + e.what());
    }
    t->added = AddedTokens(std::move(added));
    t->bos = specialFromConfig(*t, config, "bos_token");
    t->eos = specialFromConfig(*t, config, "eos_token");
    t->pad = specialFromConfig(*t, config, "pad_token");
    if (config && config->contains("chat_template") && (*config)["chat_template"].is_string())
        t->chatTemplate = (*config)["chat_template"].get<std::string>();
    return Tokenizer(std::move(t));
}

Tokenizer Tokenizer::fromFile(const std::string& path)
{
    return fromJson(readJsonFile(path), path);
}

Tokenizer Tokenizer::fromPath(const std::string& fileOrFolder)
{
    return std::filesystem::is_directory(fileOrFolder) ? fromDirectory(fileOrFolder) : fromFile(fileOrFolder);
}

Tokenizer Tokenizer::fromDirectory(const std::string& dir)
{
    namespace fs = std::filesystem;
    const fs::path json = fs::path(dir) / "tokenizer.json";
    if (!fs::exists(json))
        throw Error(dir, "", "no tokenizer.json in this folder");
    const fs::path configPath = fs::path(dir) / "tokenizer_config.json";
    if (fs::exists(configPath)) {
        const nlohmann::json config = readJsonFile(configPath.string());
        return fromJson(readJsonFile(json.string()), json.string(), &config);
    }
    return fromJson(readJsonFile(json.string()), json.string());
}

nlohmann::json Tokenizer::toJson() const
{
    nlohmann::json j = nlohmann::json::parse(impl_->original);
    const BpeModel& bpe = impl_->model;
    nlohmann::json& vocab = j["model"]["vocab"] = nlohmann::json::object();
    for (size_t e = 0; e < bpe.vocab.entries(); ++e)
        vocab[std::string(bpe.vocab.entryText(e))] = bpe.vocab.entryId(e);
    std::vector<std::pair<int32_t, uint64_t>> byRank; // (rank, pair key)
    byRank.reserve(bpe.merges.size());
    for (const auto& [key, rankAndMerged] : bpe.merges)
        byRank.emplace_back(rankAndMerged.first, key);
    std::sort(byRank.begin(), byRank.end());
    nlohmann::json& merges = j["model"]["merges"] = nlohmann::json::array();
    for (const auto& [rank, key] : byRank) {
        const std::string left(bpe.vocab.text(static_cast<int32_t>(key >> 32)));
        const std::string right(bpe.vocab.text(static_cast<int32_t>(key & 0xffffffffu)));
        merges.push_back(impl_->mergesAsPairs ? nlohmann::json::array({left, right})
                                              : nlohmann::json(left + " " + right));
    }
    return j;
}

void Tokenizer::save(const std::string& path) const
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << toJson().dump(2, ' ', false, nlohmann::json::error_handler_t::strict) << "\n";
    });
}

void Tokenizer::saveDirectory(const std::string& dir) const
{
    namespace fs = std::filesystem;
    save((fs::path(dir) / "tokenizer.json").string());
    nlohmann::json config = nlohmann::json::object();
    const std::pair<const char*, std::optional<int32_t>> specials[] = {
        {"bos_token", impl_->bos}, {"eos_token", impl_->eos}, {"pad_token", impl_->pad}};
    for (const auto& [key, id] : specials)
        if (id)
            config[key] = idToToken(*id);
    if (!impl_->chatTemplate.empty())
        config["chat_template"] = impl_->chatTemplate;
    if (config.empty())
        return;
    writeFileAtomically((fs::path(dir) / "tokenizer_config.json").string(),
                        [&](std::ostream& out) { out << config.dump(2, ' ', false) << "\n"; });
}

} // namespace thinkbench::core
