#include "training/resume_state.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace thinkbench::training {

namespace fs = std::filesystem;
using json = nlohmann::json;

void writeResumeState(const fs::path& path, const ResumeState& state)
{
    const json value = {{"stage_index", state.stageIndex},
                        {"stage_step", state.stageStep},
                        {"global_step", state.globalStep},
                        {"done", state.done},
                        {"checkpoint", state.checkpoint}};
    core::writeFileAtomically(path, [&](std::ostream& out) { out << value.dump(2) << "\n"; });
}

std::optional<ResumeState> readResumeState(const fs::path& path)
{
    if (!fs::exists(path))
        return std::nullopt;
    try {
        std::ifstream in(path);
        const json value = json::parse(in);
        ResumeState state;
        state.stageIndex = value.at("stage_index").get<int>();
        state.stageStep = value.at("stage_step").get<int64_t>();
        state.globalStep = value.at("global_step").get<int64_t>();
        state.done = value.at("done").get<bool>();
        state.checkpoint = value.at("checkpoint").get<std::string>();
        return state;
    } catch (const json::exception& e) {
        throw core::Error(path.string(), "", e.what());
    }
}

} // namespace thinkbench::training
