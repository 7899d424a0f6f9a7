#include "inference/model_folder.h"

#include "core/error.h"

#include <filesystem>

namespace thinkbench::inference {

ModelFolder loadModelFolder(const std::string& folder, c10::ScalarType dtype, c10::Device device,
                            const std::string& tokenizer, const std::string& chatTemplate)
{
    namespace fs = std::filesystem;
    if (!fs::is_directory(folder))
        throw core::Error(folder, "", "not a model folder");
    if (tokenizer.empty() && !fs::exists(fs::path(folder) / "tokenizer.json"))
        throw core::Error(folder, "", "no tokenizer.json in the model folder; name a tokenizer");
    core::Tokenizer loadedTokenizer = core::Tokenizer::fromPath(tokenizer.empty() ? folder : tokenizer);
    core::ChatTemplate chat = chatTemplate.empty() ? core::ChatTemplate::forTokenizer(loadedTokenizer)
                                                   : core::ChatTemplate::named(chatTemplate);
    return {core::Transformer::load(folder, dtype, device), std::move(loadedTokenizer), std::move(chat)};
}

} // namespace thinkbench::inference
