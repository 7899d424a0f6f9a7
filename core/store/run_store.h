#pragma once
// The run store: one SQLite file (WAL mode) shared by the engine, which writes a run, and the GUI
// and CLI, which read it, possibly from other processes at the same time. The schema is versioned
// with PRAGMA user_version and migrated forward on open.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace thinkbench::core {

enum class OpenMode {
    ReadWrite, // creates the file when missing, migrates an older schema
    ReadOnly,  // the file must exist and hold the current schema
};

struct RunInfo {
    int64_t id = 0;
    std::string name;
    std::string recipe; // the recipe text as it was when the run started
    std::string status; // created | running | finished | failed | stopped
    std::string host;
    std::string version;
    double createdAt = 0;  // seconds since the epoch
    double finishedAt = 0; // 0 while unfinished
    int stageCount = 0;
    int64_t lastStep = -1; // highest metric step written, -1 when none
};

struct StageInfo {
    int64_t id = 0;
    int64_t run = 0;
    int index = 0;
    std::string kind; // pretrain | sft | grpo | rejection_sampling | distill | eval
    std::string name;
    std::string config; // the stage's settings as JSON
    std::string status; // running | finished | failed | stopped
    double startedAt = 0;
    double finishedAt = 0;
    int64_t firstStep = -1; // range of run steps the stage wrote, -1 when none
    int64_t lastStep = -1;
    int worldSize = 1;   // the processes (ranks) that ran it
    std::string backend; // their c10d backend (gloo | nccl); empty for one process
};

// Steps count across the whole run (stage 2 continues where stage 1 stopped), so every metric of
// a run is one series on one x-axis; `stage` says which stage wrote the point.
struct MetricPoint {
    int64_t run = 0;
    int stage = 0;
    int64_t step = 0;
    std::string key;
    double value = 0;
    double wallTime = 0; // seconds since the epoch
};

struct SeriesPoint {
    int64_t step = 0;
    double value = 0;
    double wallTime = 0;
};

struct SampleRecord {
    int64_t id = 0; // assigned by the store
    int64_t run = 0;
    int stage = 0;
    int64_t step = 0;
    std::string prompt;
    std::string completion;
    std::string rewardParts = "{}"; // JSON object: component name -> value
    double reward = 0;
    bool correct = false;
    int tokenCount = 0;
    std::string extracted;            // the answer the verifier extracted
    std::vector<float> tokenLogprobs; // per completion token, empty when not recorded
    std::vector<float> tokenEntropies;
    std::vector<int32_t> tokenIds;
    std::optional<int> groupIndex;   // GRPO: the prompt's index within its step; empty outside a group
    std::optional<double> advantage; // GRPO: the completion's group-relative advantage
};

struct CheckpointRecord {
    int64_t run = 0;
    int stage = 0;
    int64_t step = 0;
    std::string path;
    double time = 0;
};

struct EvaluationRecord {
    int64_t id = 0;
    std::optional<int64_t> run; // empty for a stand-alone `thinkbench-cli eval`
    int stage = -1;
    int64_t step = -1;
    std::string model;
    std::string dataset;
    int k = 1;
    std::string settings = "{}"; // sampling settings, JSON
    std::string summary = "{}";  // pass@1, cons@k, ..., JSON
    double time = 0;
};

struct EvalItemRecord {
    int64_t id = 0;
    int64_t evaluation = 0;
    std::string problemId;
    std::string prompt;
    std::string truth;
    std::string samples = "[]"; // JSON array of {completion, extracted, correct, tokens, ...}
    double pass1 = 0;
    bool consCorrect = false;
};

// What an annotation is attached to: a training sample, or sample `sampleIndex` of an eval item.
struct AnnotationRecord {
    int64_t id = 0;
    std::optional<int64_t> sample;
    std::optional<int64_t> evalItem;
    int sampleIndex = 0;
    int stepBegin = -1; // reasoning step range, inclusive; -1 when the annotation is a span
    int stepEnd = -1;
    int spanBegin = -1; // character span in the completion, [begin, end); -1 when a step range
    int spanEnd = -1;
    std::string label;   // e.g. "error", "reflection"; empty for a trace-level verdict/note
    std::string verdict; // trace-level verdict, e.g. "correct", "flawed"
    std::string note;
    std::string author;
    double time = 0;
};

struct VoteRecord {
    int64_t id = 0;
    std::string prompt;
    std::string modelA;
    std::string modelB;
    std::string completionA;
    std::string completionB;
    std::string vote; // a | b | tie | both_bad
    double time = 0;
};

struct SampleFilter {
    std::optional<int64_t> run;
    std::optional<int64_t> step;
    std::optional<int> stage;
    std::optional<std::string> label; // only samples carrying an annotation with this label
    int limit = 1000;
};

class RunStore {
public:
    static constexpr int kSchemaVersion = 4;

    // Throws core::Error naming the file when it is not a ThinkBench database, holds a newer
    // schema, or cannot be opened; nothing in the file is changed then.
    explicit RunStore(const std::string& path, OpenMode mode = OpenMode::ReadWrite);
    ~RunStore();
    RunStore(RunStore&&) noexcept;
    RunStore& operator=(RunStore&&) noexcept;
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    const std::string& path() const { return path_; }
    int schemaVersion() const;

    // Runs and stages.
    int64_t createRun(const std::string& name, const std::string& recipe);
    // finished, failed and stopped also set the finish time.
    void setRunStatus(int64_t run, const std::string& status);
    std::vector<RunInfo> listRuns() const;
    std::optional<RunInfo> run(int64_t id) const;
    // A resumed stage keeps its row and takes the world size and backend it resumes with.
    int64_t beginStage(int64_t run, int index, const std::string& kind, const std::string& name,
                       const std::string& configJson, int worldSize = 1, const std::string& backend = "");
    void setStageStatus(int64_t run, int index, const std::string& status);
    std::vector<StageInfo> stages(int64_t run) const;

    // A stop asked for through the store, by a GUI that did not start the run: the trainer polls
    // it between steps (then checkpoints and stops), and a resumed run clears it.
    void requestStop(int64_t run);
    bool stopRequested(int64_t run) const;
    void clearStopRequest(int64_t run);

    // Metrics: one transaction per call. A point written twice (a resumed run redoing a step)
    // replaces the first.
    void appendMetrics(const std::vector<MetricPoint>& points);
    std::vector<std::string> metricKeys(int64_t run) const;
    // The series of one key, downsampled to about maxPoints over [fromStep, toStep]: each bucket
    // keeps its first, minimum, maximum and last point, so spikes survive.
    std::vector<SeriesPoint> series(int64_t run, const std::string& key, size_t maxPoints = 0,
                                    int64_t fromStep = INT64_MIN, int64_t toStep = INT64_MAX) const;
    int64_t lastStep(int64_t run) const;

    // Samples: one transaction per call; ids are written back into `samples`.
    void addSamples(std::vector<SampleRecord>& samples);
    std::vector<SampleRecord> samples(const SampleFilter& filter) const;
    std::optional<SampleRecord> sample(int64_t id) const;
    std::vector<int64_t> sampleSteps(int64_t run) const;
    // Deletes the samples and evaluations a run wrote at or after `step`: a run resumed from a
    // checkpoint before them writes them again (metrics are simply overwritten).
    void discardFromStep(int64_t run, int64_t step);

    void addCheckpoint(const CheckpointRecord& checkpoint);
    std::vector<CheckpointRecord> checkpoints(int64_t run) const;

    // A run's evaluation written twice at one stage, step and model (a resumed run redoing an
    // evaluation stage that was killed before it ended) replaces the first, items and all, as a
    // metric point does; evaluations outside a run (`eval`) are all kept.
    int64_t addEvaluation(EvaluationRecord& evaluation, std::vector<EvalItemRecord>& items);
    std::vector<EvaluationRecord> evaluations(std::optional<int64_t> run = std::nullopt) const;
    std::vector<EvalItemRecord> evalItems(int64_t evaluation) const;
    std::optional<EvalItemRecord> evalItem(int64_t id) const;

    int64_t addAnnotation(const AnnotationRecord& annotation);
    void removeAnnotation(int64_t id);
    std::vector<AnnotationRecord> annotationsForSample(int64_t sample) const;
    std::vector<AnnotationRecord> annotationsForEvalItem(int64_t item, int sampleIndex) const;
    std::vector<AnnotationRecord> annotations(std::optional<std::string> label = std::nullopt) const;

    // The project's annotation labels (editable; seeded with the built-in set).
    std::vector<std::string> annotationLabels() const;
    void setAnnotationLabels(const std::vector<std::string>& labels);

    int64_t addVote(const VoteRecord& vote);
    std::vector<VoteRecord> votes() const;

    // Runs `PRAGMA integrity_check`; "ok" when the file is sound.
    std::string integrityCheck() const;

    struct Impl;

private:
    std::string path_;
    std::unique_ptr<Impl> impl_;
};

double nowSeconds();

} // namespace thinkbench::core
