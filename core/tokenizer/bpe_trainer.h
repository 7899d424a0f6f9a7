#pragma once
// Learns a byte-level BPE from text, as Hugging Face's BpeTrainer does, and returns it as an
// ordinary tokenizer whose toJson() is a standard tokenizer.json (the demo's small vocabularies).

#include "core/tokenizer/tokenizer.h"

#include <string>
#include <vector>

namespace thinkbench::core {

struct BpeTrainerOptions {
    int vocabSize = 512; // bytes + merges + special tokens
    int minFrequency = 2;
    // Special tokens (skipped when decoding with skipSpecial; parsed in text only on request)
    // and plain added tokens (always matched, like Qwen's <think>).
    std::vector<std::string> specialTokens = {"<|endoftext|>"};
    std::vector<std::string> addedTokens = {"<think>", "</think>", "<answer>", "</answer>"};
};

// Pre-tokenizes like Qwen (single digits, letters with one leading non-letter, punctuation runs,
// newlines, spaces), so arithmetic sees one token per digit.
Tokenizer trainByteLevelBpe(const std::vector<std::string>& texts, const BpeTrainerOptions& options);

} // namespace thinkbench::core
