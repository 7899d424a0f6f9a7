// Run-store throughput: metric rows inserted per second in training-sized batches, and the time to
// read a 1M-point series downsampled to 2k points. Targets: >= 200k rows/s, < 50 ms.

#include "core/store/run_store.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

using namespace thinkbench::core;
using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

int main(int argc, char** argv)
{
    const std::string path = argc > 1 ? argv[1] : "bench_store.sqlite";
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    RunStore store(path);
    const int64_t run = store.createRun("bench", "");
    store.beginStage(run, 0, "grpo", "bench", "{}");

    // A training run writes ~40 keys per step; batch 25 steps per transaction.
    const int keys = 40, stepsPerBatch = 25, batches = 400;
    std::vector<std::string> names;
    for (int k = 0; k < keys; ++k)
        names.push_back("metric/" + std::to_string(k));
    std::vector<MetricPoint> points;
    auto start = Clock::now();
    int64_t step = 0;
    for (int b = 0; b < batches; ++b) {
        points.clear();
        for (int s = 0; s < stepsPerBatch; ++s, ++step)
            for (int k = 0; k < keys; ++k)
                points.push_back({run, 0, step, names[k], double(step % 97) * 0.01, 1e9});
        store.appendMetrics(points);
    }
    const double insertSeconds = secondsSince(start);
    const double rows = double(keys) * stepsPerBatch * batches;
    std::printf("insert: %.0f rows in %.3f s = %.0f rows/s (target >= 200000)\n", rows, insertSeconds,
                rows / insertSeconds);

    // One long series: 1M points of a single key.
    const int64_t longRun = store.createRun("long", "");
    store.beginStage(longRun, 0, "pretrain", "long", "{}");
    for (int64_t s0 = 0; s0 < 1000000; s0 += 100000) {
        points.clear();
        for (int64_t s = s0; s < s0 + 100000; ++s)
            points.push_back({longRun, 0, s, "loss", 1.0 / double(s + 1), 1e9 + double(s)});
        store.appendMetrics(points);
    }
    double best = 1e9;
    size_t got = 0;
    for (int repeat = 0; repeat < 5; ++repeat) {
        start = Clock::now();
        got = store.series(longRun, "loss", 2000).size();
        best = std::min(best, secondsSince(start));
    }
    std::printf("read: 1M-point series -> %zu points in %.1f ms (best of 5; target < 50 ms)\n", got, best * 1e3);
    start = Clock::now();
    got = store.series(longRun, "loss", 2000, 400000, 410000).size();
    std::printf("read: 10k-step window of it -> %zu points in %.2f ms\n", got, secondsSince(start) * 1e3);
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    return 0;
}
