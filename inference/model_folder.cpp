#include "inference/model_folder.h"

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/model/safetensors.h"

#include <filesystem>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace thinkbench::inference {

ModelFolder loadModelFolder(const std::string& folder, c10::ScalarType dtype, c10::Device device,
                            const std::string& tokenizer, const std::string& chatTemplate, core::WeightUse use)
{
    namespace fs = std::filesystem;
    const bool gguf = core::isGgufPath(folder);
    if (!fs::exists(folder))
        throw core::Error(folder, "", "no such file or folder");
    if (!gguf && !fs::is_directory(folder))
        throw core::Error(folder, "", "not a model folder or .gguf file");
    if (!gguf && tokenizer.empty() && !fs::exists(fs::path(folder) / "tokenizer.json"))
        throw core::Error(folder, "", "no tokenizer.json in the model folder; name a tokenizer");
    core::Tokenizer loadedTokenizer = core::openTokenizer(tokenizer.empty() ? folder : tokenizer);
    core::ChatTemplate chat = chatTemplate.empty() ? core::ChatTemplate::forTokenizer(loadedTokenizer)
                                                   : core::ChatTemplate::named(chatTemplate);
    core::Transformer model = core::Transformer::load(folder, dtype, device, use);
    // Fewer ids than embedding rows is usual (vocabularies padded to a multiple of 64); more would
    // index past the embedding on the first unlucky token.
    const int64_t rows = model.config().vocab_size;
    if (loadedTokenizer.vocabSize() > rows) {
        const fs::path tokenizerFile = tokenizer.empty()
                                           ? (gguf ? fs::path(folder) : fs::path(folder) / "tokenizer.json")
                                       : fs::is_directory(tokenizer) ? fs::path(tokenizer) / "tokenizer.json"
                                                                     : fs::path(tokenizer);
        const std::string weights =
            gguf ? folder + " (token_embd.weight)" : core::CheckpointReader(folder).fileOf("model.embed_tokens.weight");
        throw core::Error(tokenizerFile.string(), "vocabulary",
                          "ids up to " + std::to_string(loadedTokenizer.vocabSize() - 1) +
                              ", but model.embed_tokens.weight in " + weights + " has " + std::to_string(rows) +
                              " rows: this tokenizer is not the model's");
    }
#if defined(__GLIBC__)
    // Parsing the tokenizer and the file's metadata freed 30-45 MB of small allocations, which glibc
    // keeps in the heap; handed back, they are not held while a chat or server idles. (The peak
    // comes later, at a prefill, and does not move.)
    malloc_trim(0);
#endif
    return {std::move(model), std::move(loadedTokenizer), std::move(chat)};
}

} // namespace thinkbench::inference
