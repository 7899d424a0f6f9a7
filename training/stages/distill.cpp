// Distillation (R1's small dense models): the teacher's correct, well-formed traces, found by
// rejection sampling, become the SFT data of a student, a new small model or a trained one.

#include "training/stages/stages.h"

#include "core/error.h"
#include "core/store/metric_names.h"
#include "training/distributed/data_parallel.h"

namespace thinkbench::training {

bool runDistill(StageContext& ctx, int index, int64_t start)
{
    const auto& stage = ctx.recipe.stages[size_t(index)];
    const auto& s = stage.as<core::DistillSettings>();
    const std::filesystem::path data = ctx.stageDir(index) / "data.jsonl";
    if (start == 0) {
        const auto teacher = s.teacher.empty() ? nullptr : ctx.loadModel(s.teacher);
        // The teacher is passed as a model and the traces go to the stage's own file.
        const core::RejectionSamplingSettings sampling{.source = {},
                                                       .prompts = s.prompts,
                                                       .k = s.k,
                                                       .temperature = s.temperature,
                                                       .top_p = 1.0,
                                                       .max_new_tokens = s.max_new_tokens,
                                                       .require_correct = true,
                                                       .require_format = true,
                                                       .drop_language_mixing = false,
                                                       .max_tokens = 0,
                                                       .output = {}};
        const SampledDataset traces = rejectionSample(ctx, teacher ? *teacher : *ctx.model, index, sampling);
        if (agreeOnStop(ctx.options.group, ctx.stopRequested()))
            return false;
        if (traces.examples.empty())
            throw core::Error(ctx.options.recipeFile, ctx.settingPath(index),
                              "the teacher got none of its " +
                                  std::to_string(int(traces.metrics.at(std::string(core::metric::kRsGenerated)))) +
                                  " traces right and well-formed: nothing to distill");
        if (ctx.writes())
            writeExamples(data, traces.examples, traces.problems);
        if (ctx.options.group) // every rank reads it below
            ctx.options.group->barrier();
        ctx.writeStageMetrics(index, traces.metrics);
        // The student: a trained model named by init, or a new one of the student config.
        if (stage.init.empty())
            ctx.model = ctx.freshModel(s.student, uint64_t(ctx.recipe.seed) + uint64_t(index));
        else
            ctx.startFromInit(index);
    }
    return trainOnExamples(ctx, index, start, readExamples(data.string()), s.sft);
}

} // namespace thinkbench::training
