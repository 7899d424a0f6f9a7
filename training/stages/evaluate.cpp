// Evaluation stages: the current model on the held-out set (pass@1 over k samples, cons@k,
// pass@k), stored as an evaluation and as the stage's metrics.

#include "training/stages/stages.h"

#include "core/store/metric_names.h"

namespace thinkbench::training {

bool runEvaluation(StageContext& ctx, int index)
{
    namespace metric = core::metric;
    const auto& stage = ctx.recipe.stages[size_t(index)];
    const auto summary = ctx.evaluateNow(stage.as<core::EvalSettings>(), index, stage.name);
    if (ctx.stopRequested())
        return false;
    ctx.writeStageMetrics(index, {{std::string(metric::kEvalPass1), summary.pass1},
                                  {std::string(metric::kEvalPass1Stderr), summary.pass1Stderr},
                                  {std::string(metric::kEvalConsAtK), summary.consAtK},
                                  {std::string(metric::kEvalPassAtK), summary.passAtK},
                                  {std::string(metric::kEvalMeanLength), summary.meanLength},
                                  {std::string(metric::kEvalFormatRate), summary.formatRate}});
    ctx.emit({{"event", "eval"},
              {"stage", stage.name},
              {"stage_index", index},
              {"step", ctx.completedStep()},
              {"pass1", summary.pass1},
              {"pass1_stderr", summary.pass1Stderr},
              {"cons_at_k", summary.consAtK},
              {"pass_at_k", summary.passAtK},
              {"mean_length", summary.meanLength},
              {"format_rate", summary.formatRate}});
    return true;
}

} // namespace thinkbench::training
