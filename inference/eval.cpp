#include "inference/eval.h"

#include "core/error.h"
#include "core/model/transformer.h"
#include "core/store/run_store.h"
#include "core/tasks/rewards/rewards.h"
#include "core/tasks/verifier.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/local_chat_model.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <numeric>

namespace thinkbench::inference {

double passAtK(int n, int c, int k)
{
    if (c == 0)
        return 0.0; // also when fewer than k samples came back (a cancelled generation)
    if (n - c < k)
        return 1.0;
    double missAll = 1.0; // C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k / i)
    for (int i = n - c + 1; i <= n; ++i)
        missAll *= 1.0 - static_cast<double>(k) / i;
    return 1.0 - missAll;
}

double pass1Stderr(const std::vector<double>& perProblemPass1)
{
    const size_t n = perProblemPass1.size();
    if (n < 2)
        return 0.0;
    const double mean = std::accumulate(perProblemPass1.begin(), perProblemPass1.end(), 0.0) / n;
    double squares = 0;
    for (double p : perProblemPass1)
        squares += (p - mean) * (p - mean);
    return std::sqrt(squares / (n - 1) / n);
}

EvalSummary summarize(const std::vector<ItemResult>& items, int k)
{
    EvalSummary s;
    s.problems = static_cast<int>(items.size());
    s.k = k;
    int samples = 0, formatted = 0;
    double length = 0;
    std::vector<double> perProblem;
    for (const auto& item : items) {
        s.pass1 += item.pass1;
        perProblem.push_back(item.pass1);
        s.consAtK += item.consCorrect;
        int correct = 0;
        for (const auto& smp : item.samples) {
            correct += smp.correct;
            formatted += smp.wellFormed;
            length += smp.tokens;
            ++samples;
        }
        s.passAtK += passAtK(static_cast<int>(item.samples.size()), correct, k);
    }
    if (s.problems > 0) {
        s.pass1 /= s.problems;
        s.consAtK /= s.problems;
        s.passAtK /= s.problems;
    }
    s.pass1Stderr = pass1Stderr(perProblem);
    if (samples > 0) {
        s.meanLength = length / samples;
        s.formatRate = static_cast<double>(formatted) / samples;
    }
    return s;
}

std::string majorityAnswer(const std::vector<SampleOutcome>& samples)
{
    std::vector<std::pair<std::string, int>> groups; // first spelling, count; in order seen
    for (const auto& s : samples) {
        if (s.extracted.empty())
            continue;
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
            return g.first == s.extracted || core::equivalent(s.extracted, g.first);
        });
        if (it == groups.end())
            groups.emplace_back(s.extracted, 1);
        else
            ++it->second;
    }
    std::string best;
    int bestCount = 0;
    for (const auto& [answer, count] : groups)
        if (count > bestCount) { // strictly more: the earlier answer wins a tie
            best = answer;
            bestCount = count;
        }
    return best;
}

EvalResult evaluate(ChatModel& model, const std::vector<core::Problem>& problems, const EvalOptions& options,
                    const EvalProgress& progress, const std::atomic<bool>* cancel)
{
    if (options.k < 1)
        throw core::Error("", "k", "must be at least 1");
    const core::ResponseFormat format = model.responseFormat(options.maxNewTokens);
    ChatSettings settings;
    settings.temperature = options.temperature;
    settings.topP = options.topP;
    settings.maxNewTokens = options.maxNewTokens;

    EvalResult result;
    const int total = static_cast<int>(problems.size());
    for (int start = 0; start < total; start += options.problemsPerBatch) {
        if (cancel && cancel->load())
            break;
        const int end = std::min(total, start + options.problemsPerBatch);
        std::vector<SamplePrompt> prompts;
        for (int i = start; i < end; ++i)
            prompts.push_back({problems[static_cast<size_t>(i)].prompt, options.seed + static_cast<uint64_t>(i)});
        const auto generated = model.sample(prompts, options.k, settings, cancel);
        for (int i = start; i < end; ++i) {
            ItemResult item;
            item.problem = problems[static_cast<size_t>(i)];
            for (const ChatReply& g : generated[static_cast<size_t>(i - start)]) {
                const auto r = core::computeRewards(g.text, g.tokens, item.problem.truth, item.problem.task,
                                                    core::RewardSettings{}, format);
                item.samples.push_back({g.text, r.extracted, r.correct, r.wellFormed, g.tokens});
            }
            int correct = 0;
            for (const auto& s : item.samples)
                correct += s.correct;
            item.pass1 = item.samples.empty() ? 0.0 : static_cast<double>(correct) / item.samples.size();
            item.consensus = majorityAnswer(item.samples);
            item.consCorrect =
                !item.consensus.empty() &&
                (item.problem.task == "countdown"
                     ? std::any_of(item.samples.begin(), item.samples.end(),
                                   [&](const SampleOutcome& s) { return s.extracted == item.consensus && s.correct; })
                     : core::equivalent(item.consensus, item.problem.truth));
            result.items.push_back(std::move(item));
        }
        if (progress)
            progress(end, total);
    }
    result.summary = summarize(result.items, options.k);
    return result;
}

EvalResult evaluate(const core::Transformer& model, const core::Tokenizer& tokenizer,
                    const std::vector<core::Problem>& problems, const EvalOptions& options,
                    const EvalProgress& progress, const std::atomic<bool>* cancel)
{
    const core::ChatTemplate chat = options.chatTemplate.empty() ? core::ChatTemplate::forTokenizer(tokenizer)
                                                                 : core::ChatTemplate::named(options.chatTemplate);
    LocalChatModel local(model, tokenizer, chat, {});
    return evaluate(local, problems, options, progress, cancel);
}

int64_t storeEvaluation(core::RunStore& store, const EvalResult& result, const EvalOptions& options,
                        const std::string& model, const std::string& dataset, std::optional<int64_t> run, int stage,
                        int64_t step)
{
    core::EvaluationRecord record;
    record.run = run;
    record.stage = stage;
    record.step = step;
    record.model = model;
    record.dataset = dataset;
    record.k = options.k;
    record.settings = nlohmann::json{
        {"temperature", options.temperature},
        {"top_p", options.topP},
        {"max_new_tokens", options.maxNewTokens},
        {"seed",
         options.seed}}.dump();
    const auto& s = result.summary;
    record.summary = nlohmann::json{{"problems", s.problems},      {"k", s.k},
                                    {"pass@1", s.pass1},           {"pass@1_stderr", s.pass1Stderr},
                                    {"cons@k", s.consAtK},         {"pass@k", s.passAtK},
                                    {"mean_length", s.meanLength}, {"format_rate", s.formatRate}}
                         .dump();
    std::vector<core::EvalItemRecord> items;
    for (const auto& item : result.items) {
        nlohmann::json samples = nlohmann::json::array();
        for (const auto& smp : item.samples)
            samples.push_back({{"completion", smp.completion},
                               {"extracted", smp.extracted},
                               {"correct", smp.correct},
                               {"well_formed", smp.wellFormed},
                               {"tokens", smp.tokens}});
        core::EvalItemRecord record;
        record.problemId = item.problem.id;
        record.prompt = item.problem.prompt;
        record.truth = item.problem.truth;
        record.samples = samples.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        record.pass1 = item.pass1;
        record.consCorrect = item.consCorrect;
        items.push_back(std::move(record));
    }
    return store.addEvaluation(record, items);
}

} // namespace thinkbench::inference
