#include "inference/chat_model.h"

#include "core/error.h"
#include "inference/local_chat_model.h"
#include "inference/remote/remote_chat_model.h"
#include "inference/threads.h"

#include <cstdlib>
#include <filesystem>

namespace thinkbench::inference {

std::string modelDisplayName(const std::string& model)
{
    if (isEndpointSpec(model)) {
        const Endpoint endpoint = parseEndpointSpec(model);
        return endpoint.model.empty() ? endpoint.url : endpoint.model;
    }
    std::filesystem::path path(model);
    if (!path.has_filename())
        path = path.parent_path(); // "folder/" names the folder
    const std::string name = path.filename().string();
    if ((name == "final" || name.starts_with("step-")) && path.has_parent_path())
        return path.parent_path().filename().string() + "/" + name;
    return name;
}

std::unique_ptr<ChatModel> openChatModel(const std::string& model, const ModelOptions& options,
                                         const std::atomic<bool>* cancel)
{
    if (isEndpointSpec(model)) {
        if (!options.tokenizer.empty() || !options.chatTemplate.empty())
            throw core::Error(model, "", "a served model has its server's tokenizer and chat template: give neither");
        Endpoint endpoint = parseEndpointSpec(model);
        endpoint.apiKey = options.apiKey;
        if (endpoint.apiKey.empty())
            if (const char* key = std::getenv("OPENAI_API_KEY"))
                endpoint.apiKey = key;
        endpoint.timeoutSeconds = options.timeoutSeconds;
        return std::make_unique<RemoteChatModel>(std::move(endpoint), cancel);
    }
    auto local =
        std::make_unique<LocalChatModel>(loadModelFolder(model, options.dtype, options.device, options.tokenizer,
                                                         options.chatTemplate, core::WeightUse::Inference),
                                         modelDisplayName(model));
    configureCpuThreads(options.device);
    return local;
}

} // namespace thinkbench::inference
