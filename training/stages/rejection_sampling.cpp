// Rejection sampling (R1's third stage): k completions per prompt from a model, kept when the
// verifier finds them correct and well-formed and they pass the readability filters; the kept
// traces become an SFT dataset.

#include "training/stages/stages.h"

#include "core/store/metric_names.h"
#include "core/tasks/rewards/rewards.h"
#include "inference/generator.h"
#include "training/distributed/data_parallel.h"
#include "training/distributed/global_batch.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>

namespace thinkbench::training {

namespace {

namespace metric = core::metric;

// Whether a sampled completion stays out of the dataset.
bool rejected(const core::RejectionSamplingSettings& s, const inference::GenerationResult& r,
              const core::RewardParts& parts)
{
    if ((s.require_correct && !parts.correct) || (s.require_format && !parts.wellFormed))
        return true;
    if (r.finish == inference::FinishReason::Length)
        return true; // a cut-off trace teaches the model to ramble
    if (s.max_tokens > 0 && int(r.ids.size()) > s.max_tokens)
        return true;
    return s.drop_language_mixing && core::languageConsistency(r.reasoning, core::Script::Latin) < 0.99;
}

} // namespace

SampledDataset rejectionSample(StageContext& ctx, const core::Transformer& source, int index,
                               const core::RejectionSamplingSettings& s)
{
    const auto problems = ctx.mix.problems(core::Split::Train, s.prompts, ctx.seedAt(3000 + uint64_t(index)));
    const core::ResponseFormat format = ctx.chat.responseFormat(s.max_new_tokens);
    const auto& stage = ctx.recipe.stages[size_t(index)];
    inference::Generator generator(source, *ctx.tokenizer);
    SampledDataset out;
    // Data parallel: problem i is sampled by rank i mod N; the accepted completions meet after.
    std::vector<size_t> mine;
    for (size_t i = 0; i < problems.size(); ++i)
        if (ownsShare(ctx.options.group, int64_t(i)))
            mine.push_back(i);
    std::vector<std::pair<size_t, std::string>> accepted; // problem index, completion
    int generated = 0, correct = 0;
    const size_t chunk = 8;
    for (size_t b = 0; b < mine.size(); b += chunk) {
        std::vector<inference::GenerationRequest> requests;
        const size_t end = std::min(mine.size(), b + chunk);
        for (size_t i : std::vector<size_t>(mine.begin() + long(b), mine.begin() + long(end))) {
            inference::GenerationRequest r;
            r.promptIds = ctx.promptIds(problems[i].prompt);
            r.params.temperature = float(s.temperature);
            r.params.topP = float(s.top_p);
            r.params.maxNewTokens = s.max_new_tokens;
            r.params.seed = ctx.seedAt(4000 + i);
            r.n = s.k;
            r.promptOpensThinking = ctx.chat.opensThinking();
            requests.push_back(std::move(r));
        }
        std::vector<inference::GenerationResult> results;
        {
            torch::NoGradGuard noGrad;
            results = generator.generate(requests, {}, ctx.options.stop);
        }
        for (const auto& r : results) {
            const size_t i = mine[b + size_t(r.request)];
            const auto& p = problems[i];
            ++generated;
            const auto parts = core::computeRewards(r.text, int(r.ids.size()), p.truth, p.task, {}, format);
            correct += parts.correct;
            if (!rejected(s, r, parts))
                accepted.emplace_back(i, r.text);
        }
        ctx.emit({{"event", "step"},
                  {"stage", stage.name},
                  {"stage_index", index},
                  {"kind", std::string(core::stageKindName(stage.kind))},
                  {"step", ctx.globalStep},
                  {"stage_step", end},
                  {"total", mine.size()},
                  {"metrics", {{"generated", generated}, {"kept", accepted.size()}}}});
        if (ctx.stopRequested())
            break;
    }
    // Every rank's accepted completions in problem order, without repeats: the dataset one rank
    // would have kept.
    if (ProcessGroup* group = ctx.options.group) {
        std::vector<std::pair<size_t, std::string>> all;
        for (const auto& bytes : group->allGather(nlohmann::json(accepted).dump()))
            for (auto& a : nlohmann::json::parse(bytes).get<std::vector<std::pair<size_t, std::string>>>())
                all.push_back(std::move(a));
        accepted = std::move(all);
    }
    std::stable_sort(accepted.begin(), accepted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& [i, text] : accepted)
        if (seen.insert({problems[i].prompt, text}).second) {
            out.examples.push_back({problems[i].prompt, text});
            out.problems.push_back(problems[i]);
        }
    double total = generated, right = correct; // over every rank
    sumOverRanks(ctx.options.group, {&total, &right});
    std::set<std::string> covered;
    for (const auto& p : out.problems)
        covered.insert(p.prompt);
    const double kept = double(out.examples.size());
    out.metrics[std::string(metric::kRsGenerated)] = total;
    out.metrics[std::string(metric::kRsKept)] = kept;
    out.metrics[std::string(metric::kRsAccuracy)] = total > 0 ? right / total : 0;
    out.metrics[std::string(metric::kRsAcceptRate)] = total > 0 ? kept / total : 0;
    out.metrics[std::string(metric::kRsPromptsCovered)] =
        problems.empty() ? 0 : double(covered.size()) / double(problems.size());
    return out;
}

bool runRejectionSampling(StageContext& ctx, int index)
{
    const auto& s = ctx.recipe.stages[size_t(index)].as<core::RejectionSamplingSettings>();
    const auto source = s.source.empty() ? nullptr : ctx.loadModel(s.source);
    const SampledDataset data = rejectionSample(ctx, source ? *source : *ctx.model, index, s);
    if (agreeOnStop(ctx.options.group, ctx.stopRequested()))
        return false;
    if (ctx.writes())
        writeExamples(s.output.empty() ? ctx.stageDir(index) / "data.jsonl" : std::filesystem::path(s.output),
                      data.examples, data.problems);
    if (ctx.options.group) // a later stage on any rank may read it
        ctx.options.group->barrier();
    ctx.writeStageMetrics(index, data.metrics);
    return true;
}

} // namespace thinkbench::training
