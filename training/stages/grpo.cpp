// GRPO (DeepSeekMath, DeepSeek-R1): for each prompt a group of completions is sampled, scored by
// rule-based rewards, and each completion's advantage is its reward relative to its group. The
// policy takes clipped policy-gradient steps on those advantages, with a KL penalty to a frozen
// reference, and no critic.

#include "training/stages/stages.h"

#include "core/model/safetensors.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "core/tasks/rewards/rewards.h"
#include "core/text/reflection_markers.h"
#include "inference/generator.h"
#include "inference/peak_flops.h"
#include "training/distributed/data_parallel.h"
#include "training/distributed/global_batch.h"
#include "training/distributed/rank_metrics.h"
#include "training/distributed/sample_exchange.h"
#include "training/grpo_loss.h"
#include "training/moe_balance.h"
#include "training/routing_replay.h"

#include <torch/torch.h>

#include <numeric>
#include <optional>

namespace thinkbench::training {

namespace {

namespace fs = std::filesystem;
namespace metric = core::metric;
using json = nlohmann::json;

void add(Metrics& m, std::string_view key, double value)
{
    m[std::string(key)] += value;
}
void set(Metrics& m, std::string_view key, double value)
{
    m[std::string(key)] = value;
}

// The frozen reference of the KL penalty: a copy of the policy at the stage start (or the one a
// resumed stage saved), outside the policy's graph. None when beta is 0.
std::unique_ptr<core::Transformer> referenceModel(StageContext& ctx, const core::GrpoSettings& s, int64_t start)
{
    if (s.objective.beta <= 0)
        return nullptr;
    torch::NoGradGuard noGrad;
    auto reference = std::make_unique<core::Transformer>(ctx.model->clone());
    const fs::path saved = ctx.checkpoint.empty() ? fs::path() : fs::path(ctx.checkpoint) / "reference.safetensors";
    if (start > 0 && fs::exists(saved)) {
        core::SafetensorsFile file(saved.string());
        for (auto& [name, p] : reference->namedParameters())
            p.copy_(file.tensor(name));
    }
    for (auto& [name, p] : reference->namedParameters())
        p.requires_grad_(false);
    return reference;
}

// One step's groups: prompts_per_step prompts drawn from the pool, group_size samples each.
struct Groups {
    std::vector<const core::Problem*> problems;
    std::vector<inference::GenerationRequest> requests;
    std::vector<inference::GenerationResult> results; // group after group
};

Groups sampleGroups(StageContext& ctx, const core::GrpoSettings& s, const std::vector<core::Problem>& pool,
                    std::mt19937_64& rng)
{
    Groups g;
    std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
    for (int i = 0; i < s.prompts_per_step; ++i) {
        const core::Problem* problem = &pool[pick(rng)];
        const uint64_t seed = rng();
        if (!ownsShare(ctx.options.group, i)) // data parallel: every rank draws all, samples its own
            continue;
        g.problems.push_back(problem);
        inference::GenerationRequest r;
        r.promptIds = ctx.promptIds(g.problems.back()->prompt);
        r.params.temperature = float(s.temperature);
        r.params.topP = float(s.top_p);
        r.params.maxNewTokens = s.max_new_tokens;
        r.params.seed = seed;
        r.n = s.group_size;
        r.promptOpensThinking = ctx.chat.opensThinking();
        r.recordExperts = ctx.model->config().n_routed_experts > 0;
        g.requests.push_back(std::move(r));
    }
    torch::NoGradGuard noGrad;
    inference::Generator generator(*ctx.model, *ctx.tokenizer);
    g.results = generator.generate(g.requests);
    return g;
}

// Rewards of every completion, and the step's reward, length and reflection metrics.
struct Scores {
    std::vector<core::RewardParts> parts;
    at::Tensor rewards;    // [completions], double
    at::Tensor advantages; // [completions]
    at::Tensor flatGroups; // [groups] bool: every completion of the group got the same reward
    double generatedTokens = 0;
};

Scores scoreGroups(StageContext& ctx, const core::GrpoSettings& s, const Groups& g, Metrics& m)
{
    Scores sc;
    const core::ResponseFormat format = ctx.chat.responseFormat(s.max_new_tokens);
    const double n = double(g.results.size());
    std::vector<double> rewards;
    int clipped = 0, reflections = 0;
    double lenMax = 0;
    for (const auto& r : g.results) {
        const auto* p = g.problems[size_t(r.request)];
        sc.parts.push_back(core::computeRewards(r.text, int(r.ids.size()), p->truth, p->task, s.rewards, format));
        rewards.push_back(sc.parts.back().total);
        for (const auto& [k, v] : sc.parts.back().parts)
            add(m, metric::key(metric::kRewardPrefix, k), v / n);
        add(m, metric::kAccuracy, sc.parts.back().correct / n);
        add(m, metric::kFormatRate, sc.parts.back().wellFormed / n);
        sc.generatedTokens += double(r.ids.size());
        lenMax = std::max(lenMax, double(r.ids.size()));
        clipped += r.finish == inference::FinishReason::Length;
        reflections += core::reflects(r.reasoning);
    }
    sc.rewards = torch::tensor(rewards, torch::kDouble);
    // The batch's spread is the global batch's: every rank's groups, which scale_rewards = "batch"
    // divides by too.
    const at::Tensor rewardsAll = gatherGroups(ctx.options.group, sc.rewards, s.group_size);
    sc.advantages = groupAdvantages(sc.rewards, s.group_size, s.objective.scale_rewards, rewardsAll);
    sc.flatGroups = sc.rewards.view({-1, s.group_size}).std(1, false) < 1e-9;
    const at::Tensor advantagesAll = gatherGroups(ctx.options.group, sc.advantages.to(at::kDouble), s.group_size);
    set(m, metric::kRewardMean, rewardsAll.mean().item<double>());
    set(m, metric::kRewardStd, rewardsAll.std(false).item<double>());
    set(m, metric::kAdvantageStd, advantagesAll.std(false).item<double>());
    set(m, metric::kZeroAdvantageGroups,
        (rewardsAll.view({-1, s.group_size}).std(1, false) < 1e-9).to(at::kDouble).mean().item<double>());
    set(m, metric::kLengthMean, sc.generatedTokens / n);
    set(m, metric::kLengthMax, lenMax);
    set(m, metric::kLengthClipped, double(clipped) / n);
    set(m, metric::kReflectionRate, double(reflections) / n);
    return sc;
}

// The sequences trained on (prompt + completion + end token where it ended), their response starts
// and advantages; with dynamic sampling (DAPO) groups with one reward give no signal and are left out,
// and with mask_truncated (DAPO's overlong filtering) so are completions cut at max_new_tokens: their
// reward judges an unfinished answer.
struct PolicyBatch {
    std::vector<std::vector<int32_t>> seqs;
    std::vector<size_t> starts;
    std::vector<double> advantages;
    std::vector<size_t> completion; // index into the step's results
    // The generator's log-prob of each completion token (GenerationResult::tokenLogprobs). GRPO
    // forces no tokens (no think budget), so every one was sampled; the end token's is not kept.
    std::vector<std::vector<float>> samplerLogprobs;
    // MoE: the experts the generator routed each position to (GenerationResult::routedExperts).
    std::vector<const std::vector<int16_t>*> routedExperts;
};

PolicyBatch policyBatch(const StageContext& ctx, const core::GrpoSettings& s, const Groups& g, const Scores& sc)
{
    PolicyBatch b;
    const auto flat = sc.flatGroups.cpu();
    for (size_t i = 0; i < g.results.size(); ++i) {
        if (s.dynamic_sampling && flat[int64_t(i) / s.group_size].item<bool>())
            continue;
        const auto& r = g.results[i];
        if (s.objective.mask_truncated && r.finish == inference::FinishReason::Length)
            continue;
        auto ids = g.requests[size_t(r.request)].promptIds;
        b.starts.push_back(ids.size());
        ids.insert(ids.end(), r.ids.begin(), r.ids.end());
        if (r.finish == inference::FinishReason::Eos)
            ids.push_back(ctx.eos);
        b.seqs.push_back(std::move(ids));
        b.advantages.push_back(sc.advantages[int64_t(i)].item<double>());
        b.completion.push_back(i);
        b.samplerLogprobs.push_back(r.tokenLogprobs);
        b.routedExperts.push_back(&r.routedExperts);
    }
    return b;
}

struct MicroBatch {
    Batch batch;
    at::Tensor advantages; // [B]
    at::Tensor old, ref;   // log-probs under the sampling policy (mu > 1) and the reference
    at::Tensor entropy;    // under the sampling policy, for the batch's top-entropy threshold
    at::Tensor sampler;    // [B, T-1] the generator's log-probs of the completion tokens
    at::Tensor sampled;    // [B, T-1] 1 where `sampler` holds one
    // MoE: the generator's experts, replayed in the policy's forwards with routing_replay
    std::optional<core::ExpertReplay> samplerExperts;
    const core::ExpertReplay* replay() const { return samplerExperts ? &*samplerExperts : nullptr; }
    std::vector<size_t> rows; // the policy batch's sequence in each row
};

// The policy batch cut into passes of `size` sequences of similar length (0: one pass), each with
// the log-probs (and entropies) that stay fixed through the inner updates.
std::vector<MicroBatch> microBatches(const StageContext& ctx, const PolicyBatch& pb, int size, bool keepOld,
                                     bool keepEntropy, bool replay, const core::Transformer* reference)
{
    std::vector<size_t> order(pb.seqs.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return pb.seqs[a].size() < pb.seqs[b].size(); });
    const size_t per = size > 0 ? size_t(size) : std::max<size_t>(1, order.size());
    std::vector<MicroBatch> out;
    for (size_t from = 0; from < order.size(); from += per) {
        MicroBatch mb;
        std::vector<std::vector<int32_t>> part;
        std::vector<size_t> partStarts;
        std::vector<double> partAdvantages;
        std::vector<const std::vector<float>*> partSampler;
        std::vector<const std::vector<int16_t>*> partExperts;
        for (size_t i = from; i < std::min(order.size(), from + per); ++i) {
            part.push_back(pb.seqs[order[i]]);
            partSampler.push_back(&pb.samplerLogprobs[order[i]]);
            partExperts.push_back(pb.routedExperts[order[i]]);
            partStarts.push_back(pb.starts[order[i]]);
            partAdvantages.push_back(pb.advantages[order[i]]);
            mb.rows.push_back(order[i]);
        }
        mb.batch = makeBatch(part, partStarts, ctx.eos, ctx.device);
        mb.advantages = torch::tensor(partAdvantages, torch::kFloat).to(ctx.device);
        // Completion token j of a row is the target at position start + j - 1.
        const int64_t targets = mb.batch.mask.size(1);
        std::vector<float> sampler(part.size() * size_t(targets), 0.0f), sampled(sampler.size(), 0.0f);
        for (size_t row = 0; row < part.size(); ++row)
            for (size_t j = 0; j < partSampler[row]->size(); ++j) {
                const size_t at = row * size_t(targets) + partStarts[row] + j - 1;
                sampler[at] = (*partSampler[row])[j];
                sampled[at] = 1.0f;
            }
        const int64_t rows = int64_t(part.size());
        mb.sampler = torch::tensor(sampler, torch::kFloat).view({rows, targets}).to(ctx.device);
        mb.sampled = torch::tensor(sampled, torch::kFloat).view({rows, targets}).to(ctx.device);
        if (ctx.model->config().n_routed_experts > 0)
            mb.samplerExperts = expertReplay(partExperts, mb.batch.ids.size(1), ctx.model->config(), ctx.device);
        torch::NoGradGuard noGrad;
        if (keepOld || keepEntropy) {
            Scored sampling = scoreTokens(*ctx.model, mb.batch.ids,
                                          {.entropy = keepEntropy, .replay = replay ? mb.replay() : nullptr});
            if (keepOld)
                mb.old = sampling.logprobs;
            mb.entropy = sampling.entropy;
        }
        if (reference)
            mb.ref = scoreTokens(*reference, mb.batch.ids).logprobs; // the reference routes on its own
        out.push_back(std::move(mb));
    }
    return out;
}

// mu passes of clipped policy-gradient updates over the micro-batches. The first pass's loss, KL,
// clip fractions and entropy are the step's; `entropies` receives each policy-batch sequence's
// per-token entropy from that pass.
void updatePolicy(StageContext& ctx, const core::GrpoSettings& s, const core::GrpoObjective& objective,
                  const std::vector<MicroBatch>& micros, std::map<std::string, at::Tensor>& params, AdamW& optimizer,
                  double lr, Metrics& m, std::vector<std::vector<float>>& entropies)
{
    BatchTotals totals;
    for (const auto& mb : micros) {
        totals.tokens += double(mb.batch.tokens);
        totals.sequences += double(mb.rows.size());
    }
    globalTotals(ctx.options.group, totals.tokens, totals.sequences); // the loss is the global batch's
    // The top-entropy tokens are those of the whole batch under the sampling policy, every rank's
    // tokens included, so micro-batches and ranks select as the batch taken at once would.
    const bool topEntropy = trainsTopEntropyOnly(objective);
    if (topEntropy) {
        std::vector<at::Tensor> trained{torch::zeros({0}, torch::kDouble)};
        for (const auto& mb : micros)
            trained.push_back(mb.entropy.masked_select(mb.batch.mask > 0).to(at::kDouble).cpu());
        totals.entropyThreshold =
            topEntropyThreshold(gatherValues(ctx.options.group, torch::cat(trained)), objective.top_entropy_quantile);
    }
    const bool entropyGradient = objective.entropy_coef > 0;
    // The generator's log-probs are at its temperature (SampledToken::logprob, clamped as there),
    // so the trainer's are recomputed at that temperature from the first pass's forward: the two
    // then differ by numerics alone. This rather than also recording a temperature-1 log-prob in
    // the generator: the importance weight is then the ratio of the densities the tokens were drawn
    // from, and the generator stays as it is. The loss keeps its temperature-1 log-probs.
    const double samplingTemperature = std::max(float(s.temperature), 1e-5f);
    std::vector<at::Tensor> weights(micros.size()); // TIS weights, fixed through the inner passes
    double mismatchK3 = 0, mismatchTokens = 0, mismatchMax = 0;
    RoutingComparison routing;
    // The first pass's ratios are 1 (the policy is the sampling policy): clipping can only happen
    // in passes 2..mu, so the clip fractions are those passes' mean (0 with mu = 1).
    const int passes = std::max(1, s.mu);
    const double offPolicyShare = passes > 1 ? 1.0 / (passes - 1) : 0.0;
    double clipLow = 0, clipHigh = 0, clipTwoSided = 0;
    set(m, metric::kLoss, 0);
    // The passes run where the global batch has sequences: a rank whose own share is empty
    // (dynamic sampling or overlong filtering dropped it) still joins their collectives.
    for (int inner = 0; inner < passes && totals.sequences > 0; ++inner) {
        const bool first = inner == 0;
        double loss = 0, kl = 0, entropy = 0;
        at::Tensor load;
        for (size_t i = 0; i < micros.size(); ++i) {
            const MicroBatch& mb = micros[i];
            const Scored sc = scoreTokens(*ctx.model, mb.batch.ids,
                                          {.entropy = first || topEntropy || entropyGradient,
                                           .entropyGradient = entropyGradient,
                                           .samplingTemperature = first ? samplingTemperature : 0,
                                           .replay = objective.routing_replay ? mb.replay() : nullptr});
            if (first) {
                torch::NoGradGuard noGrad;
                // k3 = r - 1 - log r with r = pi_trainer / pi_sampler estimates KL(sampler || trainer)
                // from the sampler's tokens, and is >= 0 token by token.
                const at::Tensor logRatio = (sc.samplingLogprobs - mb.sampler).to(at::kDouble) * mb.sampled;
                // In double: k3 ~ log r ^ 2 / 2 cancels to 0 in f32 for ratios this close to 1.
                mismatchK3 += ((at::exp(logRatio) - 1 - logRatio) * mb.sampled).sum().item<double>();
                mismatchTokens += mb.sampled.sum().item<double>();
                mismatchMax = std::max(mismatchMax, logRatio.abs().max().item<double>());
                weights[i] = mismatchWeights(sc.samplingLogprobs, mb.sampler, mb.sampled, objective);
                if (mb.samplerExperts) {
                    const RoutingComparison c = compareRouting(sc.routedExperts, *mb.samplerExperts);
                    routing.differing += c.differing;
                    routing.decisions += c.decisions;
                }
            }
            const at::Tensor oldLp = s.mu > 1 ? mb.old : sc.logprobs.detach();
            auto out = grpoLoss({.logprobs = sc.logprobs,
                                 .oldLogprobs = oldLp,
                                 .refLogprobs = mb.ref,
                                 .advantages = mb.advantages,
                                 .mask = mb.batch.mask,
                                 .entropy = sc.entropy,
                                 .weights = weights[i]},
                                objective, totals);
            at::Tensor l = out.loss;
            const int64_t B = mb.batch.ids.size(0);
            // The balance loss is a mean over sequences: each micro-batch adds its share.
            if (auto bl = ctx.balanceLoss(sc, B, mb.batch.ids.size(1)); bl.defined())
                l = l + bl * (double(B) / totals.sequences);
            l.backward();
            const double share = double(mb.batch.tokens) / std::max(1.0, totals.tokens);
            loss += l.item<double>();
            kl += out.kl * share;
            if (!first) {
                clipLow += out.clipLowFraction * share * offPolicyShare;
                clipHigh += out.clipHighFraction * share * offPolicyShare;
                clipTwoSided += out.clipTwoSidedFraction * share * offPolicyShare;
            }
            if (first) {
                entropy += maskedMean(sc.entropy, mb.batch.mask) * share;
                const at::Tensor entropyCpu = sc.entropy.detach().to(at::kFloat).cpu(), maskCpu = mb.batch.mask.cpu();
                const auto e = entropyCpu.accessor<float, 2>();
                const auto trained = maskCpu.accessor<float, 2>();
                for (size_t row = 0; row < mb.rows.size(); ++row)
                    for (int64_t t = 0; t < trained.size(1); ++t)
                        if (trained[int64_t(row)][t] > 0)
                            entropies[mb.rows[row]].push_back(e[int64_t(row)][t]);
            }
            load = load.defined() ? load + sc.expertLoad : sc.expertLoad;
        }
        if (const auto biases = ctx.model->selectionBiases(); ctx.options.group && !biases.empty()) {
            if (!load.defined()) // [MoE layers, routed experts], none routed here
                load = torch::zeros({int64_t(biases.size()), biases.front().size(0)},
                                    biases.front().options().dtype(at::kFloat));
            ctx.options.group->allReduceSum(load);
        }
        if (first) {
            // Ratios of the global batch's sums, as one rank computes them.
            sumOverRanks(ctx.options.group, {&mismatchK3, &mismatchTokens, &routing.differing, &routing.decisions});
            set(m, metric::kLoss, loss);
            set(m, metric::kKl, kl);
            set(m, metric::kEntropy, entropy);
            set(m, metric::kSamplerKl, mismatchK3 / std::max(1.0, mismatchTokens));
            set(m, metric::kSamplerMaxLogRatio, mismatchMax);
            if (routing.decisions > 0)
                set(m, metric::kRoutingMismatch, routing.differing / routing.decisions);
            addExpertLoadMetrics(load, m);
        }
        set(m, metric::kGradNorm, ctx.update(params, optimizer, s.optimizer, lr, load));
    }
    set(m, metric::kClipLow, clipLow);
    set(m, metric::kClipHigh, clipHigh);
    if (objective.delta > 0)
        set(m, metric::kClipTwoSided, clipTwoSided);
}

// Every completion of the first `storedGroups` groups, with its group and advantage, for the trace
// stepper's group view: one completion alone cannot show why its advantage is what it is.
std::vector<core::SampleRecord> sampleRecords(const Groups& g, const Scores& sc, const PolicyBatch& pb,
                                              const std::vector<std::vector<float>>& entropies, int groupSize,
                                              int storedGroups)
{
    std::vector<core::SampleRecord> samples;
    const size_t stored = std::min(g.results.size(), size_t(storedGroups) * size_t(groupSize));
    const auto advantages = sc.advantages.to(at::kDouble).cpu();
    for (size_t i = 0; i < stored; ++i) {
        const auto& r = g.results[i];
        core::SampleRecord rec;
        rec.prompt = g.problems[size_t(r.request)]->prompt;
        rec.completion = r.text;
        rec.rewardParts = json(sc.parts[i].parts).dump();
        rec.reward = sc.parts[i].total;
        rec.correct = sc.parts[i].correct;
        rec.tokenCount = int(r.ids.size());
        rec.extracted = sc.parts[i].extracted;
        rec.tokenLogprobs = r.tokenLogprobs;
        rec.tokenIds = r.ids;
        rec.groupIndex = int(r.request);
        rec.advantage = advantages[int64_t(i)].item<double>();
        // The policy's entropy at each completion token, when the completion was trained on.
        const auto row = std::find(pb.completion.begin(), pb.completion.end(), i);
        if (row != pb.completion.end()) {
            rec.tokenEntropies = entropies[size_t(row - pb.completion.begin())];
            rec.tokenEntropies.resize(std::min(rec.tokenEntropies.size(), r.ids.size())); // not the end token
        }
        samples.push_back(std::move(rec));
    }
    return samples;
}

} // namespace

bool runGrpo(StageContext& ctx, int index, int64_t start)
{
    const auto& s = ctx.recipe.stages[size_t(index)].as<core::GrpoSettings>();
    const auto pool =
        ctx.trainingPool(s.dataset, std::max(512, s.steps * s.prompts_per_step), ctx.seedAt(5000 + uint64_t(index)));
    core::GrpoObjective objective = s.objective;
    if (objective.loss_constant <= 0)
        objective.loss_constant = s.max_new_tokens;
    if (ctx.options.group)
        broadcastParameters(*ctx.options.group, ctx.model->namedParameters());
    const auto reference = referenceModel(ctx, s, start);
    auto params = ctx.trainable();
    AdamW optimizer = ctx.makeOptimizer(s.optimizer);
    for (int64_t step = start; step < s.steps; ++step) {
        const double t0 = monotonicSeconds(), collectiveAtStart = collectiveSecondsOf(ctx.options.group);
        if (reference && s.ref_refresh_every > 0 && step > 0 && step % s.ref_refresh_every == 0) {
            torch::NoGradGuard noGrad;
            for (auto& [name, p] : reference->namedParameters())
                p.copy_(ctx.model->namedParameters().at(name));
        }
        auto rng = ctx.stream(index, step, StreamPurpose::GrpoPrompts);
        const Groups groups = sampleGroups(ctx, s, pool, rng);
        const double tGeneration = monotonicSeconds() - t0;

        Metrics m;
        const Scores scores = scoreGroups(ctx, s, groups, m);
        const PolicyBatch batch = policyBatch(ctx, s, groups, scores);
        const double lr = scheduledLr(s.optimizer, step, s.steps);
        set(m, metric::kLearningRate, lr);
        const double t1 = monotonicSeconds();
        const auto micros = microBatches(ctx, batch, s.micro_batch_size, s.mu > 1, trainsTopEntropyOnly(objective),
                                         objective.routing_replay, reference.get());
        std::vector<std::vector<float>> entropies(batch.seqs.size());
        updatePolicy(ctx, s, objective, micros, params, optimizer, lr, m, entropies);
        const double tUpdate = monotonicSeconds() - t1;

        double positions = 0, trained = 0;
        int64_t width = 0;
        for (const auto& mb : micros) {
            positions += double(mb.batch.ids.numel());
            trained += double(mb.batch.tokens);
            width = std::max(width, mb.batch.ids.size(1));
        }
        set(m, metric::kGenerationSeconds, tGeneration);
        set(m, metric::kUpdateSeconds, tUpdate);
        const double stepSeconds = monotonicSeconds() - t0;
        set(m, metric::kStepSeconds, stepSeconds);
        const double ownTokensPerSecond = (scores.generatedTokens + trained) / stepSeconds;
        set(m, metric::kTokensPerSecond, ownTokensPerSecond);
        // Forward-equivalents of the update: a training pass (3) per inner step, plus the scoring
        // passes of the sampling policy (mu > 1) and the reference.
        const double passes = 3.0 * std::max(1, s.mu) + (s.mu > 1) + (reference != nullptr);
        // Where the device's peak is known; 0 on a rank that trained nothing of its own, so every
        // rank reports the same keys.
        if (inference::peakFlopsPerSecond(ctx.device, ctx.dtype) > 0)
            set(m, metric::kMfu, ctx.modelFlopsUtilisation(passes, positions, width, tUpdate));

        // Shares of global totals add up; the batch's maxima; what is already the global batch's
        // stays; the rest are means over the ranks' equal shares.
        if (ctx.options.group)
            reduceStepMetrics(*ctx.options.group, m,
                              {metric::kLoss, metric::kKl, metric::kEntropy, metric::kClipLow, metric::kClipHigh,
                               metric::kClipTwoSided, metric::kTokensPerSecond},
                              {metric::kLengthMax, metric::kSamplerMaxLogRatio},
                              {metric::kRewardMean, metric::kRewardStd, metric::kAdvantageStd,
                               metric::kZeroAdvantageGroups, metric::kSamplerKl, metric::kRoutingMismatch});
        addRankMetrics(ctx.options.group, m, ownTokensPerSecond, collectiveAtStart);
        // The step's first stored_groups groups, wherever they were sampled, stored by rank 0.
        auto samples = gatherSamples(ctx.options.group, sampleRecords(groups, scores, batch, entropies, s.group_size,
                                                                      ownShareOf(ctx.options.group, s.stored_groups)));
        if (!ctx.endStep(index, step, s.steps, m, std::move(samples), optimizer, reference.get()))
            return false;
    }
    return true;
}

} // namespace thinkbench::training
