#include "core/recipe/setting_choices.h"
#include "core/recipe/settings_fields.h"

namespace thinkbench::core {

namespace {

// Walks a settings struct's fields and keeps the enum ones, with their key paths.
class ChoiceCollector {
public:
    ChoiceCollector(SettingChoices& out, std::string prefix)
        : out_(out)
        , prefix_(std::move(prefix))
    {
    }
    template <typename T, typename Check> void field(const char* key, T& value, const Check&) { field(key, value); }
    template <typename T> void field(const char* key, T&)
    {
        if constexpr (NamedEnum<T>) {
            std::vector<std::string>& names = out_[prefix_ + key];
            for (const auto& entry : enumNames(T{}))
                names.emplace_back(entry.name);
        }
    }
    template <typename S> void group(const char* key, S& settings)
    {
        ChoiceCollector inner(out_, prefix_ + key + ".");
        settings.visit(inner);
    }

private:
    SettingChoices& out_;
    std::string prefix_;
};

} // namespace

SettingChoices stageSettingChoices(const StageSpec& constStage)
{
    StageSpec stage = constStage; // visit() takes non-const references
    SettingChoices out;
    ChoiceCollector collector(out, "");
    visitStage(collector, stage);
    return out;
}

} // namespace thinkbench::core
