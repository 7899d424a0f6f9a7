#include "inference/local_chat_model.h"

#include "core/tokenizer/utf8.h"

namespace thinkbench::inference {

namespace {

SamplingParams samplingParams(const ChatSettings& settings, uint64_t seed)
{
    SamplingParams params;
    params.temperature = settings.temperature;
    params.topP = settings.topP;
    params.maxNewTokens = settings.maxNewTokens;
    params.thinkBudget = settings.thinkBudget;
    params.seed = seed;
    params.greedy = settings.temperature <= 0;
    return params;
}

} // namespace

LocalChatModel::LocalChatModel(ModelFolder folder, std::string name)
    : owned_(std::move(folder))
    , model_(owned_->model)
    , tokenizer_(owned_->tokenizer)
    , chat_(owned_->chat)
    , name_(std::move(name))
{
}

LocalChatModel::LocalChatModel(const core::Transformer& model, const core::Tokenizer& tokenizer,
                               core::ChatTemplate chat, std::string name)
    : model_(model)
    , tokenizer_(tokenizer)
    , chat_(chat)
    , name_(std::move(name))
{
}

ChatReply LocalChatModel::chat(const std::vector<core::Message>& messages, const ChatSettings& settings,
                               const ReplyCallback& onReply, const std::atomic<bool>* cancel)
{
    ChatReply reply;
    reply.prompt = chat_.apply(messages);
    reply.promptOpensThinking = chat_.opensThinking();
    GenerationRequest request;
    request.promptIds = tokenizer_.encode(reply.prompt, true);
    request.promptOpensThinking = reply.promptOpensThinking;
    request.params = samplingParams(settings, settings.seed);

    ReplyText streamed(request.promptOpensThinking);
    Generator generator(model_, tokenizer_);
    const GenerationResult r = generator
                                   .generate(
                                       {request},
                                       [&](const TokenEvent& e) {
                                           streamed.append(e.textDelta);
                                           if (onReply)
                                               onReply(streamed);
                                       },
                                       cancel)
                                   .front();
    reply.text = r.text;
    reply.reasoning = r.reasoning;
    reply.answer = r.answer;
    reply.finish = r.finish;
    reply.tokens = static_cast<int>(r.ids.size());
    reply.reasoningTokens = streamed.reasoningTokens(core::splitReasoning(r.text, request.promptOpensThinking));
    reply.tokensPerSecond = generator.lastStats().decodeTokensPerSecond();
    for (const int32_t id : r.ids)
        reply.tokenTexts.push_back(core::lossyUtf8(tokenizer_.tokenBytes(id)));
    reply.tokenLogprobs = r.tokenLogprobs;
    return reply;
}

std::vector<std::vector<ChatReply>> LocalChatModel::sample(const std::vector<SamplePrompt>& prompts, int n,
                                                           const ChatSettings& settings,
                                                           const std::atomic<bool>* cancel)
{
    std::vector<GenerationRequest> requests;
    for (const SamplePrompt& p : prompts) {
        GenerationRequest request;
        request.promptIds = tokenizer_.encode(chat_.apply({{"user", p.prompt}}), true);
        request.promptOpensThinking = chat_.opensThinking();
        request.n = n;
        request.params = samplingParams(settings, p.seed);
        requests.push_back(std::move(request));
    }
    Generator generator(model_, tokenizer_);
    std::vector<std::vector<ChatReply>> replies(prompts.size());
    for (GenerationResult& g : generator.generate(requests, {}, cancel)) {
        ChatReply reply;
        reply.promptOpensThinking = chat_.opensThinking();
        reply.text = std::move(g.text);
        reply.reasoning = std::move(g.reasoning);
        reply.answer = std::move(g.answer);
        reply.finish = g.finish;
        reply.tokens = static_cast<int>(g.ids.size());
        replies[static_cast<size_t>(g.request)].push_back(std::move(reply));
    }
    return replies;
}

} // namespace thinkbench::inference
