// Supervised fine-tuning, and the next-token training loop pretraining shares with it. The R1
// cold start: a few thousand long chains of thought in a readable format before RL; later, the
// rejection-sampled data of the third stage.

#include "training/stages/stages.h"

#include "core/error.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "training/distributed/data_parallel.h"
#include "training/distributed/rank_metrics.h"
#include "training/moe_balance.h"

#include <torch/torch.h>

#include <numeric>

namespace thinkbench::training {

namespace {

// Next-token loss on the batch's masked targets (plus the balance loss), backpropagated as one of
// `accum` micro-batches; adds the batch's expert load to `load`.
double backwardNextToken(StageContext& ctx, const Batch& batch, int accum, at::Tensor& load)
{
    const Scored sc = scoreTokens(*ctx.model, batch.ids);
    at::Tensor l = -(sc.logprobs * batch.mask).sum() / batch.mask.sum().clamp_min(1);
    if (auto bl = ctx.balanceLoss(sc, batch.ids.size(0), batch.ids.size(1)); bl.defined())
        l = l + bl;
    (l / accum).backward();
    load = load.defined() ? load + sc.expertLoad : sc.expertLoad;
    return l.item<double>() / accum;
}

// The generated long-CoT worked solutions of the cold start, or the examples of a dataset.
std::vector<Example> sftExamples(StageContext& ctx, int index, const core::SftSettings& s)
{
    if (s.dataset.empty()) {
        const auto problems = ctx.mix.problems(core::Split::Train, s.examples, ctx.seedAt(1000 + uint64_t(index)));
        return ctx.workedExamples(problems, uint64_t(ctx.recipe.seed) + 2000 + uint64_t(index), {});
    }
    return readExamples(ctx.resolveStage(s.dataset, "data.jsonl").string());
}

} // namespace

bool trainNextToken(StageContext& ctx, int index, int64_t start, int64_t total, const core::OptimizerSettings& settings,
                    const StepBatches& batchesOf)
{
    namespace metric = core::metric;
    auto params = ctx.trainable();
    AdamW optimizer = ctx.makeOptimizer(settings);
    // Data parallel: rank r trains on micro-batches r, r + ranks, ... of each step's global batch.
    ProcessGroup* group = ctx.options.group;
    const int rank = group ? group->rank() : 0, ranks = group ? group->size() : 1;
    if (std::max(1, settings.grad_accumulation) % ranks != 0)
        throw core::Error(ctx.options.recipeFile, ctx.settingPath(index, "optimizer.grad_accumulation"),
                          "must be a multiple of the " + std::to_string(ranks) +
                              " ranks: each takes an equal share of the micro-batches");
    if (group)
        broadcastParameters(*group, ctx.model->namedParameters());
    for (int64_t step = start; step < total; ++step) {
        const double t0 = monotonicSeconds(), collectiveAtStart = collectiveSecondsOf(group);
        const double lr = scheduledLr(settings, step, total);
        const std::vector<Batch> batches = batchesOf(step);
        double loss = 0, positions = 0;
        at::Tensor load;
        for (size_t b = size_t(rank); b < batches.size(); b += size_t(ranks)) {
            loss += backwardNextToken(ctx, batches[b], int(batches.size()), load);
            positions += double(batches[b].ids.numel());
        }
        const double localPositions = positions;
        if (group) { // the global batch's loss, positions and expert load, on every rank
            at::Tensor sums = torch::tensor({loss, positions}, torch::kDouble);
            group->allReduceSum(sums);
            loss = sums[0].item<double>();
            positions = sums[1].item<double>();
            if (load.defined() && load.numel() > 0)
                group->allReduceSum(load);
        }
        Metrics m{{std::string(metric::kLoss), loss}, {std::string(metric::kLearningRate), lr}};
        m[std::string(metric::kGradNorm)] = ctx.update(params, optimizer, settings, lr, load);
        addExpertLoadMetrics(load, m);
        const double dt = monotonicSeconds() - t0;
        m[std::string(metric::kStepSeconds)] = dt;
        m[std::string(metric::kTokensPerSecond)] = positions / dt;
        addRankMetrics(group, m, localPositions / dt, collectiveAtStart);
        if (const double mfu = ctx.modelFlopsUtilisation(3, localPositions, batches.front().ids.size(1), dt); mfu > 0)
            m[std::string(metric::kMfu)] = mfu;
        if (!ctx.endStep(index, step, total, m, {}, optimizer, nullptr))
            return false;
    }
    return true;
}

bool trainOnExamples(StageContext& ctx, int index, int64_t start, const std::vector<Example>& examples,
                     const core::SftSettings& s)
{
    if (examples.empty())
        throw core::Error(ctx.options.recipeFile, ctx.settingPath(index), "the SFT dataset is empty");
    // Prompt through the chat template, then the response and the end token; only the response
    // is trained on.
    std::vector<std::vector<int32_t>> seqs;
    std::vector<size_t> starts;
    for (const auto& e : examples) {
        auto ids = ctx.promptIds(e.prompt);
        const size_t promptLen = ids.size();
        if (int(promptLen) + 1 >= s.max_seq_len)
            continue;
        const auto response = ctx.tokenizer->encode(e.response, true);
        ids.insert(ids.end(), response.begin(), response.end());
        ids.push_back(ctx.eos);
        if (int(ids.size()) > s.max_seq_len)
            ids.resize(size_t(s.max_seq_len));
        seqs.push_back(std::move(ids));
        starts.push_back(promptLen);
    }
    if (seqs.empty())
        throw core::Error(ctx.options.recipeFile, ctx.settingPath(index, "max_seq_len"),
                          "every prompt is longer than max_seq_len");
    const int64_t perEpoch = (int64_t(seqs.size()) + s.batch_size - 1) / s.batch_size;
    const int64_t total = s.steps > 0 ? s.steps : perEpoch * std::max(1, s.epochs);
    const int accum = std::max(1, s.optimizer.grad_accumulation);
    // Batches walk a shuffled order of the examples, reshuffled each epoch.
    const StepBatches shuffled = [&](int64_t step) {
        std::vector<Batch> batches;
        for (int micro = 0; micro < accum; ++micro) {
            const int64_t slot = step * accum + micro;
            std::vector<size_t> order(seqs.size());
            std::iota(order.begin(), order.end(), 0);
            auto rng = ctx.stream(index, slot / perEpoch, StreamPurpose::SftOrder);
            std::shuffle(order.begin(), order.end(), rng);
            std::vector<std::vector<int32_t>> batch;
            std::vector<size_t> batchStarts;
            for (int64_t i = 0; i < s.batch_size; ++i) {
                const size_t k = order[size_t(((slot % perEpoch) * s.batch_size + i) % int64_t(seqs.size()))];
                batch.push_back(seqs[k]);
                batchStarts.push_back(starts[k]);
            }
            batches.push_back(makeBatch(batch, batchStarts, ctx.eos, ctx.device));
        }
        return batches;
    };
    return trainNextToken(ctx, index, start, total, s.optimizer, shuffled);
}

bool runSft(StageContext& ctx, int index, int64_t start)
{
    const auto& s = ctx.recipe.stages[size_t(index)].as<core::SftSettings>();
    return trainOnExamples(ctx, index, start, sftExamples(ctx, index, s), s);
}

} // namespace thinkbench::training
