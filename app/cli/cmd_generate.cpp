#include "app/cli/commands.h"
#include "app/cli/remote_options.h"
#include "core/error.h"
#include "inference/generator.h"
#include "inference/model_folder.h"
#include "inference/remote/endpoint.h"
#include "inference/threads.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <iostream>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace thinkbench::cli {

namespace {

struct GenerateOptions {
    std::string model, tokenizer, prompt, promptIds, dtype = "f32", device = "auto";
    bool chat = false;
    inference::SamplingParams params{.maxNewTokens = 256};
    int n = 1;
    inference::ModelOptions remote; // an endpoint's key and timeout
};

void addModelOptions(CLI::App* cmd, GenerateOptions& o)
{
    cmd->add_option("--model", o.model, kModelHelp)->required();
    addRemoteOptions(cmd, o.remote);
    cmd->add_option("--tokenizer", o.tokenizer,
                    "tokenizer.json, a model folder or a .gguf file (default: the model's)");
    cmd->add_option("--dtype", o.dtype, "f32, bf16 or f16")->capture_default_str();
    cmd->add_option("--device", o.device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--temperature", o.params.temperature)->capture_default_str();
    cmd->add_option("--top-p", o.params.topP)->capture_default_str();
    cmd->add_option("--top-k", o.params.topK)->capture_default_str();
    cmd->add_option("--min-p", o.params.minP)->capture_default_str();
    cmd->add_option("--max-new-tokens", o.params.maxNewTokens)->capture_default_str();
    cmd->add_option("--seed", o.params.seed)->capture_default_str();
    cmd->add_flag("--greedy", o.params.greedy, "Always take the most likely token");
    cmd->add_option("--think-budget", o.params.thinkBudget, "Close the thought after this many reasoning tokens");
}

inference::ModelFolder loadFolder(const GenerateOptions& o)
{
    return inference::loadModelFolder(o.model, inference::parseDtype(o.dtype, "--dtype"),
                                      inference::parseDevice(o.device, "--device"), o.tokenizer, {},
                                      core::WeightUse::Inference);
}

std::vector<int32_t> parseIds(const std::string& text)
{
    std::vector<int32_t> ids;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        try {
            ids.push_back(std::stoi(item));
        } catch (const std::exception&) {
            throw core::Error("", "--prompt-ids", "not a comma-separated list of integers: " + text);
        }
    return ids;
}

// Streams one sample to the terminal: reasoning dimmed when stdout is a terminal.
class TerminalPrinter {
public:
    void operator()(const inference::TokenEvent& e)
    {
        static const bool tty = isatty(STDOUT_FILENO);
        if (tty && e.inReasoning != dim_) {
            std::cout << (e.inReasoning ? "\033[2m" : "\033[0m");
            dim_ = e.inReasoning;
        }
        std::cout << e.textDelta << std::flush;
    }
    ~TerminalPrinter()
    {
        if (dim_)
            std::cout << "\033[0m";
    }

private:
    bool dim_ = false;
};

// Streams a served model's reply to the terminal: the text added since the last call, reasoning
// dimmed as TerminalPrinter dims it.
class ReplyPrinter {
public:
    void operator()(const inference::ReplyText& reply)
    {
        const core::ReasoningSplit split = reply.split();
        printer_(
            {.textDelta = reply.text().substr(printed_), .inReasoning = !split.closed && !split.reasoning.empty()});
        printed_ = reply.text().size();
    }

private:
    TerminalPrinter printer_;
    size_t printed_ = 0;
};

inference::ChatSettings chatSettings(const inference::SamplingParams& p)
{
    return {p.greedy ? 0.0f : p.temperature, p.topP, p.maxNewTokens, p.thinkBudget, p.seed};
}

void reportRemote(const inference::ChatModel& model, const inference::ChatReply& reply)
{
    std::cerr << "\n[" << model.name() << " at " << model.endpoint() << ": " << reply.tokens << " tokens, "
              << static_cast<int>(reply.tokensPerSecond) << " tok/s]\n";
}

nlohmann::json resultJson(const inference::GenerationResult& r)
{
    return {{"ids", r.ids},
            {"text", r.text},
            {"reasoning", r.reasoning},
            {"answer", r.answer},
            {"finish", inference::finishReasonName(r.finish)}};
}

void reportSpeed(const inference::GenerationStats& s)
{
    std::cerr << "\n[prefill " << s.prefillTokens << " tokens, " << static_cast<int>(s.prefillTokensPerSecond())
              << " tok/s; decode " << s.decodeTokens << " tokens, " << static_cast<int>(s.decodeTokensPerSecond())
              << " tok/s; peak " << s.peakMemoryBytes / (1 << 20) << " MiB]\n";
}

nlohmann::json replyJson(const inference::ChatReply& r)
{
    return {{"text", r.text},
            {"reasoning", r.reasoning},
            {"answer", r.answer},
            {"finish", inference::finishReasonName(r.finish)},
            {"tokens", r.tokens}};
}

// A served model: the prompt as one user turn (its server applies the chat template), one sample
// streamed or n sampled whole.
void runRemoteGenerate(const GenerateOptions& o, bool json)
{
    if (!o.promptIds.empty())
        throw core::Error("", "--prompt-ids", "an endpoint takes text: give --prompt");
    const auto model = inference::openChatModel(o.model, o.remote);
    const inference::ChatSettings settings = chatSettings(o.params);
    std::vector<inference::ChatReply> replies;
    if (o.n == 1) {
        ReplyPrinter printer;
        replies.push_back(model->chat({{"user", o.prompt}}, settings,
                                      json ? inference::ReplyCallback{} : inference::ReplyCallback(std::ref(printer))));
    } else {
        replies = model->sample({{o.prompt, o.params.seed}}, o.n, settings).front();
    }
    if (json) {
        nlohmann::json out = o.n == 1 ? replyJson(replies.front()) : nlohmann::json::object();
        if (o.n > 1) {
            out["samples"] = nlohmann::json::array();
            for (const auto& r : replies)
                out["samples"].push_back(replyJson(r));
        }
        out["endpoint"] = model->endpoint();
        out["model"] = model->name();
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return;
    }
    for (size_t i = 0; o.n > 1 && i < replies.size(); ++i)
        std::cout << "--- sample " << i << " (" << inference::finishReasonName(replies[i].finish) << ")\n"
                  << replies[i].text << "\n";
    reportRemote(*model, replies.front());
}

void runGenerate(const GenerateOptions& o, bool json)
{
    if (o.prompt.empty() == o.promptIds.empty())
        throw core::Error("", "--prompt", "give exactly one of --prompt and --prompt-ids");
    if (o.n < 1)
        throw core::Error("", "--n", "must be at least 1");
    if (inference::isEndpointSpec(o.model))
        return runRemoteGenerate(o, json);
    const inference::ModelFolder folder = loadFolder(o);
    const core::Tokenizer& tokenizer = folder.tokenizer;
    const core::Transformer& model = folder.model;
    inference::configureCpuThreads(model.device());
    inference::GenerationRequest request;
    request.params = o.params;
    request.n = o.n;
    if (!o.promptIds.empty()) {
        request.promptIds = parseIds(o.promptIds);
    } else if (o.chat) {
        request.promptIds = tokenizer.encode(folder.chat.apply({{"user", o.prompt}}), true);
        request.promptOpensThinking = folder.chat.opensThinking();
    } else {
        request.promptIds = tokenizer.encode(o.prompt);
    }
    inference::Generator generator(model, tokenizer);
    if (json) {
        const auto results = generator.generate({request});
        const auto& s = generator.lastStats();
        nlohmann::json out = o.n == 1 ? resultJson(results[0]) : nlohmann::json::object();
        if (o.n > 1) {
            out["samples"] = nlohmann::json::array();
            for (const auto& r : results)
                out["samples"].push_back(resultJson(r));
        }
        out["prompt_ids"] = request.promptIds;
        out["timings"] = {{"prefill_tokens", s.prefillTokens},
                          {"prefill_seconds", s.prefillSeconds},
                          {"decode_tokens", s.decodeTokens},
                          {"decode_seconds", s.decodeSeconds},
                          {"prefill_tokens_per_second", s.prefillTokensPerSecond()},
                          {"decode_tokens_per_second", s.decodeTokensPerSecond()},
                          {"peak_memory_bytes", s.peakMemoryBytes}};
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return;
    }
    TerminalPrinter printer;
    const auto results = generator.generate({request}, [&](const inference::TokenEvent& e) {
        if (o.n == 1)
            printer(e);
    });
    if (o.n > 1)
        for (const auto& r : results)
            std::cout << "--- sample " << r.sample << " (" << inference::finishReasonName(r.finish) << ")\n"
                      << r.text << "\n";
    reportSpeed(generator.lastStats());
}

// A served model in the terminal: the whole conversation goes with every turn.
void runRemoteChat(const GenerateOptions& o)
{
    const auto model = inference::openChatModel(o.model, o.remote);
    std::vector<core::Message> history;
    std::cerr << "chat with " << model->name() << " at " << model->endpoint() << "; /exit to quit\n";
    std::string line;
    while (std::cout << "> " << std::flush, std::getline(std::cin, line)) {
        if (line == "/exit" || line == "/quit")
            break;
        if (line.empty())
            continue;
        history.push_back({"user", line});
        ReplyPrinter printer;
        const auto reply = model->chat(history, chatSettings(o.params), std::ref(printer));
        std::cout << "\n";
        reportRemote(*model, reply);
        history.push_back({"assistant", reply.text});
    }
}

void runChat(const GenerateOptions& o)
{
    if (inference::isEndpointSpec(o.model))
        return runRemoteChat(o);
    const inference::ModelFolder folder = loadFolder(o);
    const core::Tokenizer& tokenizer = folder.tokenizer;
    const core::Transformer& model = folder.model;
    const core::ChatTemplate& chat = folder.chat;
    inference::configureCpuThreads(model.device());
    inference::Generator generator(model, tokenizer);
    std::vector<core::Message> history;
    std::cerr << "chat with " << o.model << " (" << chat.name() << " template); /exit to quit\n";
    std::string line;
    while (std::cout << "> " << std::flush, std::getline(std::cin, line)) {
        if (line == "/exit" || line == "/quit")
            break;
        if (line.empty())
            continue;
        history.push_back({"user", line});
        inference::GenerationRequest request;
        request.params = o.params;
        request.promptIds = tokenizer.encode(chat.apply(history), true);
        request.promptOpensThinking = chat.opensThinking();
        TerminalPrinter printer;
        const auto result = generator.generate({request}, std::ref(printer))[0];
        std::cout << "\n";
        reportSpeed(generator.lastStats());
        history.push_back({"assistant", result.text});
    }
}

} // namespace

void addGenerateCommands(CLI::App& app, GlobalOptions& global)
{
    auto o = std::make_shared<GenerateOptions>();
    auto* generate = app.add_subcommand("generate", "Generate text from a model, streaming");
    addModelOptions(generate, *o);
    generate->add_option("--prompt", o->prompt, "Prompt text");
    generate->add_option("--prompt-ids", o->promptIds, "Prompt token ids, e.g. 1,2,3");
    generate->add_flag("--chat", o->chat, "Wrap the prompt in the model's chat template");
    generate->add_option("--n", o->n, "Samples for the prompt")->capture_default_str();
    generate->add_flag("--json", global.json, "One JSON object with ids, text and timings");
    generate->callback([o, &global] { runGenerate(*o, global.json); });

    auto c = std::make_shared<GenerateOptions>();
    auto* chat = app.add_subcommand("chat", "Chat with a model in the terminal");
    addModelOptions(chat, *c);
    chat->callback([c] { runChat(*c); });
}

} // namespace thinkbench::cli
