// Pretraining a micro base model: next-token prediction on a corpus of generated worked solutions,
// as a base model meets reasoning text before any post-training.

#include "training/stages/stages.h"

#include "core/error.h"

#include <random>

namespace thinkbench::training {

bool runPretrain(StageContext& ctx, int index, int64_t start)
{
    const auto& s = ctx.recipe.stages[size_t(index)].as<core::PretrainSettings>();
    if (start == 0 && !s.model.empty())
        ctx.model = ctx.freshModel(s.model, uint64_t(ctx.recipe.seed) + uint64_t(index));
    const auto problems = ctx.mix.problems(core::Split::Train, s.corpus_size, ctx.seedAt(1));
    // Plain worked solutions by default, as a base model would meet them in its corpus: the chat
    // template arrives with SFT or RL, and pretraining does not spend most of each window on its
    // preamble.
    const core::TraceStyle style{.selfCheckRate = 0.25, .mistakeRate = 0.05, .answerOnlyRate = s.answer_only};
    std::vector<int32_t> corpus;
    for (size_t i = 0; i < problems.size(); ++i) {
        std::mt19937_64 rng(ctx.seedAt(2 + i));
        const auto [reasoning, answer] = ctx.mix.family(problems[i].task).solve(problems[i], rng, style);
        const bool inTemplate = std::uniform_real_distribution<double>(0.0, 1.0)(rng) < s.templated;
        const std::string document = inTemplate
                                         ? ctx.promptText(problems[i].prompt) + ctx.traceResponse(reasoning, answer)
                                         : problems[i].prompt + "\n" + core::formatTrace(reasoning, answer);
        const auto ids = ctx.tokenizer->encode(document, true);
        corpus.insert(corpus.end(), ids.begin(), ids.end());
        corpus.push_back(ctx.eos);
    }
    const int64_t window = s.seq_len + 1;
    if (int64_t(corpus.size()) <= window)
        throw core::Error(ctx.options.recipeFile, ctx.settingPath(index, "seq_len"),
                          "the corpus is shorter than one sequence");

    // Each step reads batch_size random windows of the corpus per micro-batch.
    const int accum = std::max(1, s.optimizer.grad_accumulation);
    const StepBatches windows = [&](int64_t step) {
        auto rng = ctx.stream(index, step, StreamPurpose::PretrainWindows);
        std::uniform_int_distribution<size_t> pick(0, corpus.size() - size_t(window));
        std::vector<Batch> batches;
        for (int micro = 0; micro < accum; ++micro) {
            std::vector<std::vector<int32_t>> seqs;
            for (int b = 0; b < s.batch_size; ++b) {
                const size_t at = pick(rng);
                seqs.emplace_back(corpus.begin() + long(at), corpus.begin() + long(at) + window);
            }
            batches.push_back(makeBatch(seqs, std::vector<size_t>(seqs.size(), 1), ctx.eos, ctx.device));
        }
        return batches;
    };
    return trainNextToken(ctx, index, start, s.steps, s.optimizer, windows);
}

} // namespace thinkbench::training
