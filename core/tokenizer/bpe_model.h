#pragma once
// The BPE model of a tokenizer.json: the vocabulary, the ranked merges, and how one pre-tokenized
// word becomes ids (byte-level, or characters with byte fallback or an unknown token).

#include "core/tokenizer/vocabulary.h"

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace thinkbench::core {

class BpeModel {
public:
    Vocabulary vocab;
    std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges; // pairKey -> (rank, merged id)
    bool byteLevel = false;                                           // BPE symbols are bytes in GPT-2's alphabet
    bool byteFallback = false;
    bool ignoreMerges = false;
    std::optional<int32_t> unkId;
    std::array<int32_t, 256> byteIds{};     // byte-level: id of each byte's character token
    std::array<int32_t, 256> fallbackIds{}; // byte fallback: id of <0xNN>

    static uint64_t pairKey(int32_t left, int32_t right);

    // Runs BPE on one pre-tokenized word and appends its ids.
    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;
    // The bytes a vocabulary token stands for; empty for an id outside the vocabulary.
    std::string tokenBytes(int32_t id) const;

private:
    // Lets the word cache be probed with a string_view, without building a std::string per word.
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    void applyMerges(std::vector<int32_t>& symbols) const;

    mutable std::mutex cacheMutex_;
    mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

} // namespace thinkbench::core
