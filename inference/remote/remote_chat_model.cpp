#include "inference/remote/remote_chat_model.h"

#include "core/error.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace thinkbench::inference {

namespace {

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none" : out;
}

// A string field of `object` (the first of `keys` present), else "".
std::string stringField(const nlohmann::json& object, std::initializer_list<const char*> keys)
{
    for (const char* key : keys)
        if (object.contains(key) && object[key].is_string())
            return object[key].get<std::string>();
    return {};
}

FinishReason finishReason(const std::string& name)
{
    if (name == "length")
        return FinishReason::Length;
    return FinishReason::Eos; // "stop": the end of the reply or a stop string, the server does not say which
}

// Fills the parts of a reply that follow from its text, with the server's token counts when it
// gave them.
void finishReply(ChatReply& reply, const ReplyText& text, const nlohmann::json& usage)
{
    const core::ReasoningSplit split = text.split();
    reply.text = text.text();
    reply.reasoning = split.reasoning;
    reply.answer = split.answer;
    reply.tokens = text.tokens();
    reply.reasoningTokens = text.reasoningTokens(split);
    reply.tokensPerSecond = text.tokensPerSecond();
    if (usage.is_object() && usage.contains("completion_tokens") && usage["completion_tokens"].is_number()) {
        reply.tokens = usage["completion_tokens"].get<int>();
        const auto& details = usage.value("completion_tokens_details", nlohmann::json::object());
        if (details.is_object() && details.contains("reasoning_tokens") && details["reasoning_tokens"].is_number())
            reply.reasoningTokens = details["reasoning_tokens"].get<int>();
    }
}

} // namespace

RemoteChatModel::RemoteChatModel(Endpoint endpoint, const std::atomic<bool>* cancel)
    : client_(std::move(endpoint))
{
    Endpoint resolved = client_.endpoint();
    Endpoint listing = resolved;
    listing.timeoutSeconds = std::min(listing.timeoutSeconds, 30.0); // a list is quick, or nothing will be
    const std::vector<std::string> served = OpenAiClient(listing).models(cancel);
    if (cancel && cancel->load())
        throw core::Error(resolved.url, "", "cancelled");
    if (resolved.model.empty()) {
        if (served.size() != 1)
            throw core::Error(resolved.url, "",
                              "serves " + joined(served) + ": name the model as " + resolved.url + "#MODEL");
        resolved.model = served.front();
        client_ = OpenAiClient(resolved);
    } else if (std::find(served.begin(), served.end(), resolved.model) == served.end()) {
        throw core::Error(resolved.url, "",
                          "does not serve the model \"" + resolved.model + "\"; it serves " + joined(served));
    }
}

nlohmann::json RemoteChatModel::requestBody(const std::vector<core::Message>& messages, const ChatSettings& settings,
                                            uint64_t seed) const
{
    nlohmann::json turns = nlohmann::json::array();
    for (const core::Message& m : messages) // servers take earlier replies without their thought
        turns.push_back(
            {{"role", m.role}, {"content", m.role == "assistant" ? core::stripReasoning(m.content) : m.content}});
    nlohmann::json body = {{"model", client_.endpoint().model},
                           {"messages", turns},
                           {"temperature", std::max(settings.temperature, 0.0f)},
                           {"top_p", settings.topP},
                           {"max_tokens", settings.maxNewTokens},
                           {"seed", seed}};
    if (settings.thinkBudget >= 0) // our server's extension; sent only when asked for, as others may refuse it
        body["think_budget"] = settings.thinkBudget;
    return body;
}

ChatReply RemoteChatModel::chat(const std::vector<core::Message>& messages, const ChatSettings& settings,
                                const ReplyCallback& onReply, const std::atomic<bool>* cancel)
{
    nlohmann::json body = requestBody(messages, settings, settings.seed);
    body["stream_options"] = {{"include_usage", true}};
    ReplyText text;
    std::string finish;
    nlohmann::json usage;
    const bool completed = client_.stream(
        body,
        [&](const nlohmann::json& chunk) {
            if (chunk.contains("usage") && chunk["usage"].is_object())
                usage = chunk["usage"];
            if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty())
                return;
            const auto& choice = chunk["choices"][0];
            if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
                finish = choice["finish_reason"].get<std::string>();
            if (!choice.contains("delta") || !choice["delta"].is_object())
                return;
            const std::string reasoning = stringField(choice["delta"], {"reasoning_content", "reasoning"});
            const std::string content = stringField(choice["delta"], {"content"});
            if (!reasoning.empty())
                text.appendReasoning(reasoning);
            if (!content.empty())
                text.append(content);
            if (onReply && (!reasoning.empty() || !content.empty()))
                onReply(text);
        },
        cancel);
    ChatReply reply;
    reply.prompt = messages.empty() ? std::string() : messages.back().content;
    reply.finish = completed ? finishReason(finish) : FinishReason::Cancelled;
    finishReply(reply, text, usage);
    return reply;
}

ChatReply RemoteChatModel::completeOne(const std::string& prompt, const ChatSettings& settings, uint64_t seed,
                                       const std::atomic<bool>* cancel) const
{
    const nlohmann::json answer = client_.complete(requestBody({{"user", prompt}}, settings, seed), cancel);
    ChatReply reply;
    reply.prompt = prompt;
    if (answer.is_null()) {
        reply.finish = FinishReason::Cancelled;
        return reply;
    }
    if (!answer.contains("choices") || !answer["choices"].is_array() || answer["choices"].empty())
        throw core::Error(client_.endpoint().url, "", "a completion without choices: " + answer.dump().substr(0, 200));
    const auto& choice = answer["choices"][0];
    const auto& message = choice.value("message", nlohmann::json::object());
    ReplyText text;
    if (const std::string reasoning = stringField(message, {"reasoning_content", "reasoning"}); !reasoning.empty())
        text.appendReasoning(reasoning);
    text.append(stringField(message, {"content"}));
    reply.finish = finishReason(stringField(choice, {"finish_reason"}));
    finishReply(reply, text, answer.value("usage", nlohmann::json()));
    return reply;
}

std::vector<std::vector<ChatReply>> RemoteChatModel::sample(const std::vector<SamplePrompt>& prompts, int n,
                                                            const ChatSettings& settings,
                                                            const std::atomic<bool>* cancel)
{
    // Sample j of prompt i is request i * n + j; its seed differs from every other's.
    const size_t total = prompts.size() * static_cast<size_t>(n);
    std::vector<std::optional<ChatReply>> done(total);
    std::atomic<size_t> next{0};
    std::atomic<bool> abort{false}; // a cancel, or one request failed: the others stop too
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        for (size_t r; !abort && (r = next++) < total;) {
            const SamplePrompt& p = prompts[r / static_cast<size_t>(n)];
            try {
                ChatReply reply = completeOne(p.prompt, settings,
                                              p.seed * static_cast<uint64_t>(n) + r % static_cast<size_t>(n), &abort);
                if (reply.finish != FinishReason::Cancelled)
                    done[r] = std::move(reply);
            } catch (...) {
                std::lock_guard lock(failureMutex);
                if (!failure)
                    failure = std::current_exception();
                abort = true;
            }
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::min<int>(kConcurrentRequests, static_cast<int>(total)); ++t)
        threads.emplace_back(work);
    while (next < total + threads.size() && !abort) { // every thread has taken its last index
        if (cancel && cancel->load())
            abort = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (std::thread& t : threads)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
    std::vector<std::vector<ChatReply>> replies(prompts.size());
    for (size_t r = 0; r < total; ++r)
        if (done[r])
            replies[r / static_cast<size_t>(n)].push_back(std::move(*done[r]));
    return replies;
}

} // namespace thinkbench::inference
