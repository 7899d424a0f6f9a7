#pragma once
// The one thread that runs the batch engine for every client: HTTP handlers submit requests and
// cancel them from their own threads; the loop admits them into the running batch, steps while
// any row is live and sleeps otherwise. Callbacks run on the loop's thread.

#include "inference/batch_engine.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace thinkbench::inference::serving {

class ServingLoop {
public:
    ServingLoop(const core::Transformer& model, const core::Tokenizer& tokenizer, bool batchInvariant);
    // Cancels what is in flight (each gets its results, Cancelled) and joins the thread.
    ~ServingLoop();

    // Returns a ticket for cancel(). The request must pass BatchEngine::add's checks.
    int64_t submit(GenerationRequest request, BatchEngine::Callbacks callbacks);
    void cancel(int64_t ticket);
    // Stops taking work, cancels what is in flight, ends the thread once every result is out.
    void stop();
    // Rows in the running batch after the last step.
    int rows() const { return rows_.load(); }
    // The most rows any step decoded together.
    int peakRows() const { return peakRows_.load(); }

private:
    void run();

    BatchEngine engine_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::pair<int64_t, std::pair<GenerationRequest, BatchEngine::Callbacks>>> submitted_;
    std::vector<int64_t> cancelled_;
    int64_t nextTicket_ = 0;
    bool stopping_ = false;
    std::atomic<int> rows_{0};
    std::atomic<int> peakRows_{0};
    std::thread thread_;
};

} // namespace thinkbench::inference::serving
