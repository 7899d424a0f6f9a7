#include "core/tokenizer/bpe_trainer.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace thinkbench::core {

namespace {

const char* kPreTokenizerRegex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

nlohmann::json byteLevelPart()
{
    return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
}

// A tokenizer.json skeleton with the given vocabulary, merges and special tokens.
nlohmann::json tokenizerJson(const std::vector<std::string>& vocab,
                             const std::vector<std::pair<std::string, std::string>>& merges,
                             const std::vector<std::string>& specials, const std::vector<std::string>& plainAdded)
{
    nlohmann::json vocabJson = nlohmann::json::object();
    for (size_t i = 0; i < vocab.size(); ++i)
        vocabJson[vocab[i]] = i;
    nlohmann::json mergesJson = nlohmann::json::array();
    for (const auto& [a, b] : merges)
        mergesJson.push_back({a, b});
    nlohmann::json added = nlohmann::json::array();
    auto addToken = [&](const std::string& content, bool special) {
        added.push_back({{"id", vocab.size() + added.size()},
                         {"content", content},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", special}});
    };
    for (const auto& token : specials)
        addToken(token, true);
    for (const auto& token : plainAdded)
        addToken(token, false);
    return {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", {{"type", "NFC"}}},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"},
             {"pattern", {{"Regex", kPreTokenizerRegex}}},
             {"behavior", "Isolated"},
             {"invert", false}},
            byteLevelPart()}}}},
        {"post_processor", nullptr},
        {"decoder", byteLevelPart()},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"byte_fallback", false},
          {"ignore_merges", false},
          {"vocab", vocabJson},
          {"merges", mergesJson}}},
    };
}

} // namespace

Tokenizer trainByteLevelBpe(const std::vector<std::string>& texts, const BpeTrainerOptions& options)
{
    const int budget = options.vocabSize - static_cast<int>(options.specialTokens.size() + options.addedTokens.size());
    if (budget < 256)
        throw Error("", "vocab_size", "must leave room for the 256 byte tokens and the specials");

    // The byte alphabet in byte order: token id b is byte b.
    std::vector<std::string> vocab;
    for (int b = 0; b < 256; ++b)
        vocab.push_back(byteLevelSymbol(static_cast<uint8_t>(b)));
    const Tokenizer splitter = Tokenizer::fromJson(tokenizerJson(vocab, {}, {}, {}), "<trainer>");

    // Unique words with their counts, as sequences of token ids.
    std::map<std::string, int64_t> wordCounts;
    for (const auto& text : texts)
        for (const auto& piece : splitter.preTokenize(text))
            ++wordCounts[piece];
    std::vector<std::vector<int32_t>> words;
    std::vector<int64_t> counts;
    for (const auto& [word, count] : wordCounts) {
        std::vector<int32_t> symbols;
        for (unsigned char c : word)
            symbols.push_back(c);
        words.push_back(std::move(symbols));
        counts.push_back(count);
    }

    std::vector<std::pair<std::string, std::string>> merges;
    while (static_cast<int>(vocab.size()) < budget) {
        std::unordered_map<uint64_t, int64_t> pairs;
        for (size_t w = 0; w < words.size(); ++w)
            for (size_t i = 0; i + 1 < words[w].size(); ++i)
                pairs[(uint64_t(uint32_t(words[w][i])) << 32) | uint32_t(words[w][i + 1])] += counts[w];
        // Most frequent pair; ties go to the pair whose merged string sorts first, so training
        // is deterministic.
        uint64_t best = 0;
        int64_t bestCount = 0;
        std::string bestString;
        for (const auto& [pair, count] : pairs) {
            const std::string merged = vocab[pair >> 32] + vocab[pair & 0xffffffffu];
            if (count > bestCount || (count == bestCount && merged < bestString)) {
                best = pair;
                bestCount = count;
                bestString = merged;
            }
        }
        if (bestCount < options.minFrequency)
            break;
        const auto left = static_cast<int32_t>(best >> 32);
        const auto right = static_cast<int32_t>(best & 0xffffffffu);
        if (std::find(vocab.begin(), vocab.end(), bestString) != vocab.end())
            break; // a second path to an existing token: HF's trainer stops adding here too
        const auto merged = static_cast<int32_t>(vocab.size());
        merges.emplace_back(vocab[static_cast<size_t>(left)], vocab[static_cast<size_t>(right)]);
        vocab.push_back(bestString);
        for (auto& word : words) {
            size_t out = 0;
            for (size_t i = 0; i < word.size(); ++i) {
                if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
                    word[out++] = merged;
                    ++i;
                } else {
                    word[out++] = word[i];
                }
            }
            word.resize(out);
        }
    }
    return Tokenizer::fromJson(tokenizerJson(vocab, merges, options.specialTokens, options.addedTokens), "<trainer>");
}

} // namespace thinkbench::core
