#pragma once
// Continuous batching: one batch of rows decoded a token at a time, which requests join and leave
// between steps. A request added while others decode is prefilled alone at the next step and its
// rows join the running batch there (left-padded in the shared KV cache); a row leaves as soon as
// it ends (EOS, stop string, length, cancel) and the cache drops it. With batchInvariant the
// forward runs under core::BatchInvariantScope, so every row's tokens are the ones it gets alone.
// Not thread-safe: one thread adds, cancels and steps (the serving loop).

#include "core/model/kv_cache.h"
#include "inference/generator.h"
#include "inference/sequence.h"

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace thinkbench::inference {

struct EngineStats {
    int64_t prefillTokens = 0;
    double prefillSeconds = 0;
    int64_t decodeTokens = 0;
    double decodeSeconds = 0;
};

class BatchEngine {
public:
    struct Callbacks {
        std::function<void(const TokenEvent&)> onToken; // event.request: the id add() gave
        std::function<void(GenerationResult)> onResult; // one per sample, as it ends
    };

    BatchEngine(const core::Transformer& model, const core::Tokenizer& tokenizer, bool batchInvariant);
    ~BatchEngine();

    // Checks the request (core::Error naming the field) and queues it; returns its id. The
    // callbacks run inside step() and must not call back into the engine.
    int add(GenerationRequest request, Callbacks callbacks);
    // The request's rows end at the next step, as Cancelled.
    void cancel(int id);
    // Admits the queued requests, then samples one token for every row and runs the forward for
    // the rows that go on.
    void step();
    bool idle() const { return rows_.empty() && queued_.empty(); }
    int rows() const { return static_cast<int>(rows_.size()); }
    // Samples waiting for the next step.
    int queued() const;
    const EngineStats& stats() const { return stats_; }

private:
    struct Entry {
        GenerationRequest request;
        Callbacks callbacks;
        int remaining = 0; // samples not yet reported
        bool cancelled = false;
    };
    struct Row {
        int id;
        Sequence sequence;
    };

    void admit();
    void report(Row& row);

    const core::Transformer& model_;
    const core::Tokenizer& tokenizer_;
    bool batchInvariant_;
    std::vector<int32_t> eos_;
    std::vector<int32_t> closeThought_;
    std::map<int, std::unique_ptr<Entry>> entries_;
    std::vector<int> queued_;
    std::vector<Row> rows_;
    core::KvCache cache_;
    at::Tensor logits_; // [rows, vocab]: each row's next-token logits
    int nextId_ = 0;
    EngineStats stats_;
};

} // namespace thinkbench::inference
