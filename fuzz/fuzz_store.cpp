// A run database from elsewhere (copied between machines, truncated, or not ours at all): opened
// read-only as the GUI does and read through, then read-write as a run would, migrated and
// written to. Any damage must surface as core::Error, never as a crash.

#include "core/error.h"
#include "core/store/run_store.h"
#include "fuzz/fuzz_input.h"

#include <cstdint>

namespace {

using namespace thinkbench;

void readAll(const core::RunStore& store)
{
    for (const core::RunInfo& run : store.listRuns()) {
        store.stages(run.id);
        for (const std::string& key : store.metricKeys(run.id)) {
            store.series(run.id, key);
            store.series(run.id, key, 16);
        }
        store.lastStep(run.id);
        store.sampleSteps(run.id);
        for (const core::SampleRecord& sample : store.samples({.run = run.id, .limit = 64}))
            store.annotationsForSample(sample.id);
        store.checkpoints(run.id);
    }
    for (const core::EvaluationRecord& evaluation : store.evaluations())
        for (const core::EvalItemRecord& item : store.evalItems(evaluation.id))
            store.annotationsForEvalItem(item.id, 0);
    store.annotations();
    store.annotationLabels();
    store.votes();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const fuzz::ScratchFolder folder;
    folder.clear();
    const std::string path = folder.write("runs.sqlite", std::string_view(reinterpret_cast<const char*>(data), size));
    try {
        readAll(core::RunStore(path, core::OpenMode::ReadOnly));
    } catch (const core::Error&) {
    }
    try {
        core::RunStore store(path, core::OpenMode::ReadWrite);
        readAll(store);
        const int64_t run = store.createRun("fuzz", "");
        store.appendMetrics({{.run = run, .stage = 0, .step = 1, .key = "reward", .value = 1}});
        store.integrityCheck();
    } catch (const core::Error&) {
    }
    return 0;
}
