#pragma once
// What a Tokenizer holds: tokenizer.json's pipeline, one part per stage. Read by
// tokenizer_json.cpp, run by tokenizer.cpp.

#include "core/tokenizer/added_tokens.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/normalizer.h"
#include "core/tokenizer/pre_tokenizer.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace thinkbench::core {

struct Tokenizer::Impl {
    std::string file;
    // The tokenizer.json as read but for model.vocab and model.merges, serialised compactly: toJson
    // puts those back from the tables below. For a 150k vocabulary the parsed document would hold
    // ~25 MB for as long as the tokenizer lives, and its text with the tables ~8 MB.
    std::string original;
    bool mergesAsPairs = false; // merges written as ["left", "right"] rather than "left right"

    Normalizer normalizer;
    std::vector<PreTokenizer> preTokenizers;
    BpeModel model;
    AddedTokens added;

    std::optional<int32_t> bos, eos, pad;
    std::string chatTemplate;
};

} // namespace thinkbench::core
