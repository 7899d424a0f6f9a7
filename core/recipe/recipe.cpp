#include "core/recipe/recipe.h"

namespace thinkbench::core {

StageSpec defaultStage(StageKind kind, std::string name)
{
    StageSpec stage;
    stage.kind = kind;
    stage.name = std::move(name);
    switch (kind) {
    case StageKind::Pretrain:
        stage.settings = PretrainSettings{};
        break;
    case StageKind::Sft:
        stage.settings = SftSettings{};
        break;
    case StageKind::Grpo:
        stage.settings = GrpoSettings{};
        break;
    case StageKind::RejectionSampling:
        stage.settings = RejectionSamplingSettings{};
        break;
    case StageKind::Distill:
        stage.settings = DistillSettings{};
        break;
    case StageKind::Eval:
        stage.settings = EvalSettings{};
        break;
    }
    return stage;
}

const StageSpec* Recipe::stage(std::string_view name) const
{
    for (const auto& s : stages)
        if (s.name == name)
            return &s;
    return nullptr;
}

std::string RecipeIssue::str() const
{
    std::string out = file;
    if (line > 0)
        out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!keyPath.empty())
        out += keyPath + ": ";
    return out + message;
}

namespace {
std::string joinIssues(const std::vector<RecipeIssue>& issues)
{
    std::string out = std::to_string(issues.size()) + " problem(s) in the recipe";
    for (const auto& issue : issues)
        out += "\n  " + issue.str();
    return out;
}
} // namespace

RecipeError::RecipeError(std::string file, std::vector<RecipeIssue> issues)
    : Error(std::move(file), "", joinIssues(issues))
    , issues_(std::move(issues))
{
}

} // namespace thinkbench::core
