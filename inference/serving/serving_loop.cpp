#include "inference/serving/serving_loop.h"

#include "core/error.h"
#include "inference/serving/openai_protocol.h"

#include <iostream>
#include <map>

namespace thinkbench::inference::serving {

ServingLoop::ServingLoop(const core::Transformer& model, const core::Tokenizer& tokenizer, bool batchInvariant)
    : engine_(model, tokenizer, batchInvariant)
    , thread_([this] { run(); })
{
}

ServingLoop::~ServingLoop()
{
    stop();
    thread_.join();
}

int64_t ServingLoop::submit(GenerationRequest request, BatchEngine::Callbacks callbacks)
{
    std::lock_guard lock(mutex_);
    if (stopping_)
        throw ApiError(503, "the server is shutting down", {}, "unavailable", "server_error");
    const int64_t ticket = nextTicket_++;
    submitted_.push_back({ticket, {std::move(request), std::move(callbacks)}});
    wake_.notify_one();
    return ticket;
}

void ServingLoop::cancel(int64_t ticket)
{
    std::lock_guard lock(mutex_);
    cancelled_.push_back(ticket);
    wake_.notify_one();
}

void ServingLoop::stop()
{
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
}

void ServingLoop::run()
{
    std::map<int64_t, int> engineIds; // ticket -> engine id, for requests in flight
    for (;;) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !submitted_.empty() || !cancelled_.empty() || !engine_.idle(); });
        auto submitted = std::move(submitted_);
        auto cancelled = std::move(cancelled_);
        submitted_.clear();
        cancelled_.clear();
        const bool stopping = stopping_;
        lock.unlock();

        for (auto& [ticket, work] : submitted) {
            const int n = work.first.n;
            auto onResult = work.second.onResult;
            try {
                engineIds[ticket] = engine_.add(std::move(work.first), std::move(work.second));
            } catch (const core::Error& e) { // the server checks first: a failure here is a bug
                std::cerr << "serve: request refused: " << e.what() << "\n";
                for (int s = 0; s < n; ++s)
                    onResult(GenerationResult{.sample = s, .finish = FinishReason::Cancelled});
            }
        }
        for (int64_t ticket : cancelled)
            if (auto it = engineIds.find(ticket); it != engineIds.end())
                engine_.cancel(it->second);
        if (stopping)
            for (const auto& [ticket, id] : engineIds)
                engine_.cancel(id);
        const int rows = engine_.rows() + engine_.queued();
        engine_.step();
        rows_ = engine_.rows();
        peakRows_ = std::max(peakRows_.load(), rows);
        if (engine_.idle()) {
            engineIds.clear();
            if (stopping)
                return;
        }
    }
}

} // namespace thinkbench::inference::serving
