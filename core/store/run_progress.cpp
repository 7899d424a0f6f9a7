#include "core/store/run_progress.h"

#include "core/error.h"
#include "core/recipe/recipe.h"
#include "core/store/metric_names.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

namespace thinkbench::core {

namespace {

// Steps whose wall times set the pace: recent enough to follow a change of speed, enough that
// one slow step (an evaluation, a checkpoint) does not.
constexpr int64_t kPaceSteps = 20;

// The step count a stage's settings fix; distillation trains with nested SFT settings.
int64_t settingsSteps(const std::string& configJson)
{
    const auto config = nlohmann::json::parse(configJson, nullptr, false);
    if (!config.is_object())
        return 0;
    const auto sft = config.find("sft");
    const auto& settings = sft != config.end() && sft->is_object() ? *sft : config;
    const auto steps = settings.find("steps");
    return steps != settings.end() && steps->is_number_integer() ? steps->get<int64_t>() : 0;
}

// The median seconds per step between consecutive points: a resume's pause, or times that go
// back where a resumed run rewrote steps, do not move it.
double medianStepSeconds(const std::vector<SeriesPoint>& points)
{
    std::vector<double> paces;
    for (size_t i = 1; i < points.size(); ++i) {
        const double seconds = points[i].wallTime - points[i - 1].wallTime;
        if (seconds > 0)
            paces.push_back(seconds / double(points[i].step - points[i - 1].step));
    }
    if (paces.empty())
        return 0;
    const auto middle = paces.begin() + long(paces.size() / 2);
    std::nth_element(paces.begin(), middle, paces.end());
    return *middle;
}

} // namespace

RunProgress runProgress(const RunStore& store, int64_t run, double now)
{
    const auto info = store.run(run);
    if (!info)
        throw Error(store.path(), "run " + std::to_string(run), "no such run");
    RunProgress p;
    p.status = info->status;
    try {
        p.stageCount =
            int(parseRecipe(info->recipe, store.path() + " (recipe of run " + std::to_string(run) + ")").stages.size());
    } catch (const Error& e) {
        p.recipeError = e.what();
    }
    p.stopRequested = store.stopRequested(run);
    const auto stages = store.stages(run);
    if (stages.empty())
        return p;
    p.stage = stages.back();
    // Steps count across the run: a stage's own steps follow the last step of the stages before it.
    int64_t before = -1;
    for (size_t i = 0; i + 1 < stages.size(); ++i)
        before = std::max(before, stages[i].lastStep);
    p.stageTotal = settingsSteps(p.stage->config);
    p.stageStep = std::max<int64_t>(0, p.stage->lastStep - before);
    p.lastWrite = p.stage->startedAt;
    if (p.stageStep > 0) {
        // Every training step writes the loss: its rows are the stage's clock.
        const int64_t last = p.stage->lastStep;
        const auto points =
            store.series(run, std::string(metric::kLoss), 0, std::max(before + 1, last - kPaceSteps), last);
        p.secondsPerStep = medianStepSeconds(points);
        for (const auto& point : points)
            p.lastWrite = std::max(p.lastWrite, point.wallTime);
    }
    if (p.status != "running")
        return p;
    const double quiet = std::max(0.0, now - p.lastWrite);
    p.stalled = quiet > std::max(kStallSeconds, 10 * p.secondsPerStep);
    if (!p.stalled && p.stageTotal > 0 && p.secondsPerStep > 0)
        p.etaSeconds = std::max(0.0, double(p.stageTotal - p.stageStep) * p.secondsPerStep - quiet);
    return p;
}

} // namespace thinkbench::core
