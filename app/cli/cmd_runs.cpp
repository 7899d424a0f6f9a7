#include "app/cli/commands.h"
#include "core/error.h"
#include "core/recipe/recipe.h"
#include "core/store/run_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace thinkbench::cli {

namespace {

std::string formatTime(double seconds)
{
    if (seconds <= 0)
        return "-";
    const std::time_t t = static_cast<std::time_t>(seconds);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    return buffer;
}

nlohmann::json runJson(const core::RunInfo& run)
{
    return {{"id", run.id},
            {"name", run.name},
            {"status", run.status},
            {"stages", run.stageCount},
            {"last_step", run.lastStep},
            {"created", run.createdAt},
            {"finished", run.finishedAt},
            {"host", run.host},
            {"version", run.version}};
}

core::RunInfo requireRun(const core::RunStore& store, int64_t id)
{
    auto run = store.run(id);
    if (!run)
        throw core::Error(store.path(), "run " + std::to_string(id), "no such run");
    return *run;
}

void listRuns(const GlobalOptions& global)
{
    const core::RunStore store(global.db, core::OpenMode::ReadOnly);
    const auto runs = store.listRuns();
    if (global.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& run : runs)
            out.push_back(runJson(run));
        std::cout << out.dump() << "\n";
        return;
    }
    std::printf("%-5s %-24s %-9s %6s %9s  %-19s\n", "ID", "NAME", "STATUS", "STAGES", "LAST STEP", "CREATED");
    for (const auto& run : runs)
        std::printf("%-5lld %-24s %-9s %6d %9lld  %-19s\n", static_cast<long long>(run.id), run.name.c_str(),
                    run.status.c_str(), run.stageCount, static_cast<long long>(run.lastStep),
                    formatTime(run.createdAt).c_str());
    if (runs.empty())
        std::cout << "(no runs in " << global.db << ")\n";
}

// A stored summary as "pass@1 39.0% ± 3.1 (n=50)  cons@k ...", the ± being the standard error in
// points; summaries that are not JSON, or stored before the stderr was, print as stored.
std::string evaluationLine(const std::string& text)
{
    const auto summary = nlohmann::json::parse(text, nullptr, false);
    if (!summary.is_object() || !summary.contains("pass@1_stderr"))
        return text;
    const auto percent = [&](const char* key) { return 100 * summary.value(key, 0.0); };
    char line[256];
    std::snprintf(line, sizeof line,
                  "pass@1 %.1f%% \u00b1 %.1f (n=%d)  cons@k %.1f%%  pass@k %.1f%%  length %.1f  format %.1f%%",
                  percent("pass@1"), percent("pass@1_stderr"), summary.value("problems", 0), percent("cons@k"),
                  percent("pass@k"), summary.value("mean_length", 0.0), percent("format_rate"));
    return line;
}

void showRun(const GlobalOptions& global, int64_t id)
{
    const core::RunStore store(global.db, core::OpenMode::ReadOnly);
    const auto run = requireRun(store, id);
    const auto stages = store.stages(id);
    const auto evaluations = store.evaluations(id);
    if (global.json) {
        nlohmann::json out = runJson(run);
        out["recipe"] = run.recipe;
        out["stage_list"] = nlohmann::json::array();
        for (const auto& s : stages)
            out["stage_list"].push_back({{"index", s.index},
                                         {"kind", s.kind},
                                         {"name", s.name},
                                         {"status", s.status},
                                         {"first_step", s.firstStep},
                                         {"last_step", s.lastStep},
                                         {"config", nlohmann::json::parse(s.config, nullptr, false)}});
        out["metrics"] = store.metricKeys(id);
        out["evaluations"] = nlohmann::json::array();
        for (const auto& e : evaluations)
            out["evaluations"].push_back({{"id", e.id},
                                          {"stage", e.stage},
                                          {"model", e.model},
                                          {"dataset", e.dataset},
                                          {"k", e.k},
                                          {"summary", nlohmann::json::parse(e.summary, nullptr, false)}});
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "run " << run.id << " \"" << run.name << "\": " << run.status << "\n"
              << "  created  " << formatTime(run.createdAt) << " on " << run.host << "\n"
              << "  finished " << formatTime(run.finishedAt) << "\n"
              << "  version  " << run.version << "\n"
              << "  stages:\n";
    size_t nameWidth = 0, kindWidth = 0; // columns as wide as the longest entry: names are free text
    for (const auto& s : stages) {
        nameWidth = std::max(nameWidth, s.name.size());
        kindWidth = std::max(kindWidth, s.kind.size());
    }
    const int indexWidth = static_cast<int>(std::to_string(stages.empty() ? 0 : stages.back().index).size());
    for (const auto& s : stages)
        std::cout << "    " << std::right << std::setw(indexWidth) << s.index << ". " << std::left
                  << std::setw(int(nameWidth) + 2) << s.name << std::setw(int(kindWidth) + 2) << s.kind << std::setw(10)
                  << s.status << " steps " << s.firstStep << ".." << s.lastStep << "\n";
    const auto keys = store.metricKeys(id);
    std::cout << "  metrics (" << keys.size() << "):";
    for (const auto& key : keys)
        std::cout << " " << key;
    std::cout << "\n";
    for (const auto& e : evaluations)
        std::cout << "  evaluation " << e.id << " (stage " << e.stage << ", " << e.dataset << ", k=" << e.k
                  << "): " << evaluationLine(e.summary) << "\n";
}

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void exportRun(const GlobalOptions& global, int64_t id, const std::string& format, const std::string& output)
{
    const core::RunStore store(global.db, core::OpenMode::ReadOnly);
    requireRun(store, id);
    std::ofstream file;
    if (!output.empty()) {
        file.open(output, std::ios::binary);
        if (!file)
            throw core::Error(output, "", "cannot write the export file");
    }
    std::ostream& out = output.empty() ? std::cout : file;
    out << std::setprecision(10);
    if (format == "csv")
        out << "key,step,value,wall_time\n";
    for (const auto& key : store.metricKeys(id)) {
        for (const auto& p : store.series(id, key)) {
            if (format == "csv")
                out << csvField(key) << "," << p.step << "," << p.value << "," << p.wallTime << "\n";
            else
                out << nlohmann::json{{"type", "metric"},
                                      {"key", key},
                                      {"step", p.step},
                                      {"value", p.value},
                                      {"wall_time", p.wallTime}}
                           .dump()
                    << "\n";
        }
    }
    if (format == "jsonl") {
        for (const auto& s : store.samples({.run = id, .limit = 1000000}))
            out << nlohmann::json{{"type", "sample"},
                                  {"id", s.id},
                                  {"stage", s.stage},
                                  {"step", s.step},
                                  {"prompt", s.prompt},
                                  {"completion", s.completion},
                                  {"reward", s.reward},
                                  {"reward_parts", nlohmann::json::parse(s.rewardParts, nullptr, false)},
                                  {"correct", s.correct},
                                  {"extracted", s.extracted}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    }
}

// Records a run and its stages from a validated recipe, without running it (status "created").
void createRun(const GlobalOptions& global, const std::string& recipePath)
{
    std::ifstream in(recipePath, std::ios::binary);
    if (!in)
        throw core::Error(recipePath, "", "cannot read the recipe file");
    std::stringstream text;
    text << in.rdbuf();
    const core::Recipe recipe = core::parseRecipe(text.str(), recipePath);
    core::RunStore store(global.db);
    const int64_t id = store.createRun(recipe.name, text.str());
    for (size_t i = 0; i < recipe.stages.size(); ++i) {
        const auto& stage = recipe.stages[i];
        store.beginStage(id, static_cast<int>(i), std::string(core::stageKindName(stage.kind)), stage.name,
                         core::stageSettingsJson(stage).dump());
        store.setStageStatus(id, static_cast<int>(i), "created");
    }
    store.setRunStatus(id, "created");
    if (global.json)
        std::cout << nlohmann::json{{"run", id}, {"db", global.db}}.dump() << "\n";
    else
        std::cout << "created run " << id << " \"" << recipe.name << "\" with " << recipe.stages.size() << " stages in "
                  << global.db << "\n";
}

} // namespace

void addRunsCommands(CLI::App& app, GlobalOptions& global)
{
    auto* runs = app.add_subcommand("runs", "List, show and export runs of a run database");
    runs->require_subcommand(1);
    runs->fallthrough(); // `runs list --db FILE` as well as `runs --db FILE list`
    runs->add_option("--db", global.db, "Run database")->capture_default_str();
    runs->add_flag("--json", global.json, "Machine-readable output");

    auto* list = runs->add_subcommand("list", "List the runs");
    list->callback([&global] { listRuns(global); });

    auto recipePath = std::make_shared<std::string>();
    auto* create = runs->add_subcommand("create", "Record a run from a recipe without starting it");
    create->add_option("RECIPE", *recipePath, "Recipe (TOML)")->required();
    create->callback([&global, recipePath] { createRun(global, *recipePath); });

    auto id = std::make_shared<int64_t>(0);
    auto* show = runs->add_subcommand("show", "Show a run: stages, metrics, evaluations");
    show->add_option("RUN", *id, "Run id")->required();
    show->callback([&global, id] { showRun(global, *id); });

    auto format = std::make_shared<std::string>("csv");
    auto output = std::make_shared<std::string>();
    auto* exporter = runs->add_subcommand("export", "Export a run's metrics (CSV) or metrics and "
                                                    "samples (JSON lines)");
    exporter->add_option("RUN", *id, "Run id")->required();
    exporter->add_option("--format", *format, "csv or jsonl")
        ->check(CLI::IsMember({"csv", "jsonl"}))
        ->capture_default_str();
    exporter->add_option("--output,-o", *output, "File to write (default: standard output)");
    exporter->callback([&global, id, format, output] { exportRun(global, *id, *format, *output); });
}

} // namespace thinkbench::cli
