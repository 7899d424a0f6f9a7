#include "app/cli/commands.h"
#include "core/error.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>

namespace thinkbench::cli {

namespace {

// JSON lines in, JSON lines out; a bad line names its number.
void tokenizeStream(const core::Tokenizer& tokenizer, bool special, bool decode)
{
    std::string line;
    for (int64_t number = 1; std::getline(std::cin, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        const std::string place = "line " + std::to_string(number);
        nlohmann::json row;
        try {
            row = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) { // parse errors, and numbers like 1e400
            throw core::Error("stdin", place, std::string("invalid JSON: ") + e.what());
        }
        if (decode) {
            if (!row.contains("ids") || !row["ids"].is_array())
                throw core::Error("stdin", place, "expected {\"ids\": [...]}");
            const auto ids = row["ids"].get<std::vector<int32_t>>();
            std::cout << nlohmann::json{{"text", tokenizer.decode(ids, !special)}}.dump() << "\n";
        } else {
            if (!row.contains("text") || !row["text"].is_string())
                throw core::Error("stdin", place, "expected {\"text\": \"...\"}");
            std::vector<int32_t> ids;
            try {
                ids = tokenizer.encode(row["text"].get<std::string>(), special);
            } catch (const core::Error& e) {
                throw core::Error("stdin", place + ", text " + e.place(), e.message());
            }
            std::cout << nlohmann::json{{"ids", ids}}.dump() << "\n";
        }
    }
}

} // namespace

void addTokenizeCommands(CLI::App& app, GlobalOptions& global)
{
    auto path = std::make_shared<std::string>();
    auto special = std::make_shared<bool>(false);
    auto decode = std::make_shared<bool>(false);
    auto* tokenize =
        app.add_subcommand("tokenize", "Encode JSON lines {\"text\"} to {\"ids\"} (or decode with --decode)");
    tokenize->add_option("--tokenizer", *path, "tokenizer.json, a model folder or a .gguf file")->required();
    tokenize->add_flag("--special,!--no-special", *special,
                       "Parse special tokens in the text / keep them when decoding "
                       "(default: --no-special)");
    tokenize->add_flag("--decode", *decode, "Read {\"ids\"} and write {\"text\"}");
    tokenize->callback([path, special, decode] { tokenizeStream(core::openTokenizer(*path), *special, *decode); });

    auto inputs = std::make_shared<std::vector<std::string>>();
    auto output = std::make_shared<std::string>();
    auto vocabSize = std::make_shared<int>(512);
    auto specials = std::make_shared<std::vector<std::string>>();
    auto* tokenizer = app.add_subcommand("tokenizer", "Train tokenizers");
    tokenizer->require_subcommand(1);
    auto* train = tokenizer->add_subcommand(
        "train", "Learn a byte-level BPE from text files and write a Hugging Face tokenizer.json");
    train->add_option("--input", *inputs, "Text files (one or more)")->required();
    train->add_option("--vocab-size", *vocabSize, "Vocabulary size, specials included")->capture_default_str();
    train->add_option("--output,-o", *output, "tokenizer.json to write")->required();
    train->add_option("--special", *specials,
                      "Special tokens (default: <|endoftext|>; <think> </think> <answer> </answer> are always added)");
    train->callback([inputs, output, vocabSize, specials] {
        std::vector<std::string> texts;
        for (const auto& file : *inputs) {
            std::ifstream in(file, std::ios::binary);
            if (!in)
                throw core::Error(file, "", "cannot read");
            std::string line;
            while (std::getline(in, line))
                texts.push_back(line + "\n");
        }
        core::BpeTrainerOptions options;
        options.vocabSize = *vocabSize;
        if (!specials->empty())
            options.specialTokens = *specials;
        const core::Tokenizer trained = core::trainByteLevelBpe(texts, options);
        trained.save(*output);
        std::cerr << "wrote " << *output << " (" << trained.vocabSize() << " tokens)\n";
    });
}

} // namespace thinkbench::cli
