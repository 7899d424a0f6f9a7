#include "core/store/emergence_story.h"

#include "core/error.h"
#include "core/store/metric_names.h"
#include "core/text/reflection_markers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace thinkbench::core {

namespace {

int64_t stepCount(const StageInfo& stage)
{
    return stage.firstStep < 0 ? 0 : stage.lastStep - stage.firstStep + 1;
}

std::vector<SeriesPoint> stageSeries(const RunStore& store, const StageInfo& stage, std::string_view key)
{
    if (stage.firstStep < 0)
        return {};
    return store.series(stage.run, std::string(key), 0, stage.firstStep, stage.lastStep);
}

std::vector<Pass1Point> withErrors(const std::vector<SeriesPoint>& values, const std::vector<SeriesPoint>& errors)
{
    std::vector<Pass1Point> out;
    for (const SeriesPoint& p : values) {
        const auto e = std::lower_bound(errors.begin(), errors.end(), p.step,
                                        [](const SeriesPoint& a, int64_t step) { return a.step < step; });
        out.push_back({p.step, p.value, e != errors.end() && e->step == p.step ? e->value : 0.0});
    }
    return out;
}

// What a late trace shows best: a correct answer reached by a trace that re-examines itself.
int lateRank(const SampleRecord& s)
{
    const bool reflecting = reflects(s.completion);
    return s.correct && reflecting ? 0 : s.correct ? 1 : reflecting ? 2 : 3;
}

std::vector<SampleRecord> samplesAt(const RunStore& store, const StageInfo& stage, std::vector<int64_t> steps)
{
    std::vector<SampleRecord> out;
    for (int64_t step : steps) {
        auto some = store.samples({.run = stage.run, .step = step, .stage = stage.index});
        std::move(some.begin(), some.end(), std::back_inserter(out));
    }
    return out;
}

} // namespace

std::vector<StageInfo> grpoStages(const std::vector<StageInfo>& stages)
{
    std::vector<StageInfo> out;
    std::copy_if(stages.begin(), stages.end(), std::back_inserter(out),
                 [](const StageInfo& s) { return s.kind == "grpo"; });
    return out;
}

std::optional<StageInfo> longestGrpoStage(const std::vector<StageInfo>& stages)
{
    std::optional<StageInfo> best;
    for (const StageInfo& s : grpoStages(stages))
        if (!best || stepCount(s) > stepCount(*best))
            best = s;
    return best;
}

std::string startingModel(const std::vector<StageInfo>& stages, size_t index, const std::string& file)
{
    const StageInfo& stage = stages.at(index);
    const auto config = nlohmann::json::parse(stage.config, nullptr, false);
    if (!config.is_object())
        throw Error(file, "run " + std::to_string(stage.run) + ", stage " + std::to_string(stage.index) + " config",
                    "not a JSON object");
    const auto init = config.find("init");
    if (init != config.end() && init->is_string() && !init->get<std::string>().empty())
        return init->get<std::string>();
    if (index == 0)
        return "";
    const StageInfo& before = stages[index - 1];
    const bool keepsModel = before.kind == "eval" || before.kind == "rejection_sampling";
    return keepsModel ? startingModel(stages, index - 1, file) : "stage:" + before.name;
}

int storySampleSteps(size_t sampledSteps)
{
    return std::max(1, int(sampledSteps / 10));
}

std::optional<SeriesChange> seriesChange(const std::vector<SeriesPoint>& series)
{
    if (series.empty())
        return std::nullopt;
    const size_t n = std::max<size_t>(1, series.size() / 10);
    const auto mean = [n](auto first) {
        double sum = 0;
        for (size_t i = 0; i < n; ++i)
            sum += first[ptrdiff_t(i)].value;
        return sum / double(n);
    };
    return SeriesChange{mean(series.begin()), mean(series.end() - ptrdiff_t(n))};
}

EmergenceStory readEmergenceStory(const RunStore& store, int64_t run, int stageIndex)
{
    const auto stages = store.stages(run);
    const auto found =
        std::find_if(stages.begin(), stages.end(), [&](const StageInfo& s) { return s.index == stageIndex; });
    const std::string place = "run " + std::to_string(run) + ", stage " + std::to_string(stageIndex);
    if (found == stages.end())
        throw Error(store.path(), place, "no such stage");
    if (found->kind != "grpo")
        throw Error(store.path(), place, "a " + found->kind + " stage, not a GRPO stage");

    EmergenceStory story;
    story.stage = *found;
    story.pass1 = withErrors(stageSeries(store, story.stage, metric::kHeldOutPass1),
                             stageSeries(store, story.stage, metric::kHeldOutPass1Stderr));
    const size_t at = size_t(found - stages.begin());
    const auto evalPass1 = [&](size_t index) {
        if (index >= stages.size() || stages[index].kind != "eval")
            return;
        const auto more = withErrors(stageSeries(store, stages[index], metric::kEvalPass1),
                                     stageSeries(store, stages[index], metric::kEvalPass1Stderr));
        story.evalStages.insert(story.evalStages.end(), more.begin(), more.end());
    };
    if (at > 0 && startingModel(stages, at - 1, store.path()) == startingModel(stages, at, store.path()))
        evalPass1(at - 1);
    if (at + 1 < stages.size() && startingModel(stages, at + 1, store.path()) == "stage:" + story.stage.name)
        evalPass1(at + 1);
    story.length = stageSeries(store, story.stage, metric::kLengthMean);
    story.reflection = stageSeries(store, story.stage, metric::kReflectionRate);

    std::vector<int64_t> steps;
    for (int64_t step : store.sampleSteps(run))
        if (step >= story.stage.firstStep && step <= story.stage.lastStep)
            steps.push_back(step);
    const auto n = std::min<ptrdiff_t>(storySampleSteps(steps.size()), ptrdiff_t(steps.size()));
    story.early = samplesAt(store, story.stage, {steps.begin(), steps.begin() + n});
    story.late = samplesAt(store, story.stage, {steps.end() - n, steps.end()});
    std::stable_sort(story.late.begin(), story.late.end(), [](const SampleRecord& a, const SampleRecord& b) {
        const int ra = lateRank(a), rb = lateRank(b);
        return ra != rb ? ra < rb : a.step > b.step;
    });
    return story;
}

} // namespace thinkbench::core
