#include "inference/serving/openai_protocol.h"

#include <cmath>
#include <random>

namespace thinkbench::inference::serving {

namespace {

using nlohmann::json;

ApiError badField(const std::string& field, const std::string& message)
{
    return ApiError(400, "'" + field + "': " + message, field, "invalid_value");
}

std::string bound(double v)
{
    return v == std::floor(v) ? std::to_string(static_cast<long long>(v)) : json(v).dump();
}

template <typename T> T number(const json& body, const std::string& field, double low, double high)
{
    const json& value = body.at(field);
    if (!value.is_number() || (std::is_integral_v<T> && !value.is_number_integer()))
        throw badField(field, std::is_integral_v<T> ? "must be an integer" : "must be a number");
    const double v = value.get<double>();
    if (v < low || v > high)
        throw badField(field, "must be between " + bound(low) + " and " + bound(high) + ", not " + value.dump());
    return value.get<T>();
}

std::vector<core::Message> readMessages(const json& body)
{
    if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
        throw ApiError(400, "'messages' must be a non-empty array of {role, content}", "messages", "invalid_value");
    std::vector<core::Message> messages;
    for (size_t i = 0; i < body["messages"].size(); ++i) {
        const json& m = body["messages"][i];
        const std::string place = "messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            throw badField(place, "needs a string 'role'");
        const std::string role = m["role"].get<std::string>();
        if (role != "system" && role != "user" && role != "assistant" && role != "developer")
            throw badField(place + ".role", "must be system, developer, user or assistant, not '" + role + "'");
        std::string content;
        if (m.contains("content") && m["content"].is_string()) {
            content = m["content"].get<std::string>();
        } else if (m.contains("content") && m["content"].is_array()) { // text parts
            for (const json& part : m["content"]) {
                if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
                    !part["text"].is_string())
                    throw badField(place + ".content", "only text parts are supported");
                content += part["text"].get<std::string>();
            }
        } else if (!(role == "assistant" && m.contains("content") && m["content"].is_null())) {
            throw badField(place + ".content", "must be a string or a list of text parts");
        }
        messages.push_back({role == "developer" ? "system" : role, content});
    }
    return messages;
}

} // namespace

ApiError::ApiError(int status, std::string message, std::string param, std::string code, std::string type)
    : std::runtime_error(std::move(message))
    , status(status)
    , type(std::move(type))
    , param(std::move(param))
    , code(std::move(code))
{
}

json errorJson(const ApiError& error)
{
    const auto orNull = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    return {{"error",
             {{"message", error.what()},
              {"type", error.type},
              {"param", orNull(error.param)},
              {"code", orNull(error.code)}}}};
}

ChatRequest parseChatRequest(const std::string& text)
{
    json body;
    try {
        body = json::parse(text);
    } catch (const json::exception& e) { // parse errors, and numbers like 1e400
        throw ApiError(400, std::string("malformed JSON body: ") + e.what(), {}, "invalid_json");
    }
    if (!body.is_object())
        throw ApiError(400, "the body must be a JSON object", {}, "invalid_json");
    ChatRequest request;
    if (!body.contains("model") || !body["model"].is_string())
        throw ApiError(400, "'model' must be a string", "model", "invalid_value");
    request.model = body["model"].get<std::string>();
    request.messages = readMessages(body);
    SamplingParams& p = request.params;
    p.temperature = 1.0f;
    if (body.contains("temperature") && !body["temperature"].is_null())
        p.temperature = number<float>(body, "temperature", 0, 2);
    p.greedy = p.temperature == 0.0f;
    if (body.contains("top_p") && !body["top_p"].is_null())
        p.topP = number<float>(body, "top_p", 0, 1);
    if (body.contains("top_k") && !body["top_k"].is_null())
        p.topK = number<int>(body, "top_k", 0, 1e9);
    if (body.contains("min_p") && !body["min_p"].is_null())
        p.minP = number<float>(body, "min_p", 0, 1);
    for (const char* field : {"max_tokens", "max_completion_tokens"})
        if (body.contains(field) && !body[field].is_null())
            request.maxTokens = number<int>(body, field, 1, 1e9);
    if (body.contains("n") && !body["n"].is_null())
        request.n = number<int>(body, "n", 1, kMaxChoices);
    if (body.contains("seed") && !body["seed"].is_null())
        p.seed = static_cast<uint64_t>(number<int64_t>(body, "seed", -9.2e18, 9.2e18));
    else
        p.seed = std::random_device{}() * 0x100000000ull + std::random_device{}();
    if (body.contains("think_budget") && !body["think_budget"].is_null())
        p.thinkBudget = number<int>(body, "think_budget", 0, 1e9);
    if (body.contains("stop") && !body["stop"].is_null()) {
        const json& stop = body["stop"];
        if (stop.is_string()) {
            p.stopStrings = {stop.get<std::string>()};
        } else if (stop.is_array() && stop.size() <= 4 &&
                   std::all_of(stop.begin(), stop.end(), [](const json& s) { return s.is_string(); })) {
            p.stopStrings = stop.get<std::vector<std::string>>();
        } else {
            throw badField("stop", "must be a string or a list of up to 4 strings");
        }
    }
    if (body.contains("stream") && !body["stream"].is_null()) {
        if (!body["stream"].is_boolean())
            throw badField("stream", "must be true or false");
        request.stream = body["stream"].get<bool>();
    }
    if (body.contains("stream_options") && body["stream_options"].is_object())
        request.includeUsage = body["stream_options"].value("include_usage", false);
    return request;
}

json usageJson(const Usage& usage)
{
    return {{"prompt_tokens", usage.promptTokens},
            {"completion_tokens", usage.completionTokens},
            {"total_tokens", usage.promptTokens + usage.completionTokens}};
}

const char* finishReasonJson(FinishReason reason)
{
    return reason == FinishReason::Length ? "length" : "stop";
}

json completionJson(const std::string& id, const std::string& model, int64_t created,
                    const std::vector<GenerationResult>& results, const Usage& usage)
{
    json choices = json::array();
    for (size_t i = 0; i < results.size(); ++i)
        choices.push_back(
            {{"index", i},
             {"message",
              {{"role", "assistant"}, {"content", results[i].answer}, {"reasoning_content", results[i].reasoning}}},
             {"logprobs", nullptr},
             {"finish_reason", finishReasonJson(results[i].finish)}});
    return {{"id", id},       {"object", "chat.completion"}, {"created", created},
            {"model", model}, {"choices", choices},          {"usage", usageJson(usage)}};
}

json chunkJson(const std::string& id, const std::string& model, int64_t created, int index, const json& delta,
               const char* finishReason)
{
    return {{"id", id},
            {"object", "chat.completion.chunk"},
            {"created", created},
            {"model", model},
            {"choices",
             {{{"index", index},
               {"delta", delta},
               {"logprobs", nullptr},
               {"finish_reason", finishReason ? json(finishReason) : json(nullptr)}}}}};
}

json modelsJson(const std::string& model, int64_t created)
{
    return {{"object", "list"},
            {"data", {{{"id", model}, {"object", "model"}, {"created", created}, {"owned_by", "thinkbench"}}}}};
}

} // namespace thinkbench::inference::serving
