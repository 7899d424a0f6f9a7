#include "inference/batch_engine.h"

#include "inference/chunked_prefill.h"

#include "core/error.h"
#include "core/model/batch_invariance.h"
#include "core/model/transformer.h"
#include "core/text/think_tags.h"
#include "core/tokenizer/tokenizer.h"

#include <torch/torch.h>

#include <chrono>
#include <optional>

namespace thinkbench::inference {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

} // namespace

BatchEngine::BatchEngine(const core::Transformer& model, const core::Tokenizer& tokenizer, bool batchInvariant)
    : model_(model)
    , tokenizer_(tokenizer)
    , batchInvariant_(batchInvariant)
    , eos_(model.config().eos_token_ids)
    , closeThought_(tokenizer.encode("\n" + std::string(core::kThinkClose) + "\n\n"))
{
    if (auto eos = tokenizer.eosId())
        eos_.push_back(*eos);
}

BatchEngine::~BatchEngine() = default;

int BatchEngine::add(GenerationRequest request, Callbacks callbacks)
{
    if (request.promptIds.empty())
        throw core::Error("", "prompt", "a prompt needs at least one token");
    if (request.n < 1)
        throw core::Error("", "n", "must be at least 1");
    for (int32_t id : request.promptIds)
        if (id < 0 || id >= model_.config().vocab_size)
            throw core::Error("", "prompt", "token id " + std::to_string(id) + " is outside the vocabulary");
    const int id = nextId_++;
    auto entry = std::make_unique<Entry>();
    entry->remaining = request.n;
    entry->request = std::move(request);
    entry->callbacks = std::move(callbacks);
    entries_.emplace(id, std::move(entry));
    queued_.push_back(id);
    return id;
}

int BatchEngine::queued() const
{
    int samples = 0;
    for (int id : queued_)
        samples += entries_.at(id)->request.n;
    return samples;
}

void BatchEngine::cancel(int id)
{
    if (auto it = entries_.find(id); it != entries_.end())
        it->second->cancelled = true;
}

void BatchEngine::admit()
{
    const at::Device device = model_.device();
    for (int id : queued_) {
        const Entry& entry = *entries_.at(id);
        const GenerationRequest& request = entry.request;
        const auto P = static_cast<int64_t>(request.promptIds.size());
        const auto start = Clock::now();
        core::KvCache cache = core::KvCache::create(model_.config(), 1, P, model_.dtype(), device);
        const at::Tensor ids =
            at::tensor(std::vector<int64_t>(request.promptIds.begin(), request.promptIds.end()), at::kLong)
                .view({1, P});
        at::Tensor logits =
            prefillInChunks(model_, ids.to(device), at::Tensor(), cache, prefillRows(model_)).logits.squeeze(1);
        // n samples share the prefill: its row repeated.
        if (request.n > 1) {
            const at::Tensor repeat = at::zeros({request.n}, at::kLong);
            cache.selectRows(repeat);
            logits = logits.index_select(0, repeat.to(logits.device()));
        }
        cache_.appendRows(cache);
        logits_ = logits_.defined() ? at::cat({logits_, logits}) : logits;
        for (int s = 0; s < request.n; ++s)
            rows_.push_back({id, Sequence(tokenizer_, request, id, s, eos_, closeThought_)});
        stats_.prefillTokens += P;
        stats_.prefillSeconds += since(start);
    }
    queued_.clear();
}

void BatchEngine::report(Row& row)
{
    Entry& entry = *entries_.at(row.id);
    if (entry.callbacks.onResult)
        entry.callbacks.onResult(row.sequence.finish());
    if (--entry.remaining == 0)
        entries_.erase(row.id);
}

void BatchEngine::step()
{
    torch::NoGradGuard noGrad;
    std::optional<core::BatchInvariantScope> invariant;
    if (batchInvariant_)
        invariant.emplace();
    admit();
    if (rows_.empty())
        return;
    const auto start = Clock::now();
    const at::Tensor cpuLogits = logits_.to(at::kFloat).to(at::kCPU);
    std::vector<int64_t> keep, next;
    for (size_t b = 0; b < rows_.size(); ++b) {
        Row& row = rows_[b];
        const Entry& entry = *entries_.at(row.id);
        if (entry.cancelled) {
            row.sequence.cancel();
        } else {
            const std::optional<TokenEvent> event = row.sequence.step(cpuLogits[static_cast<int64_t>(b)]);
            ++stats_.decodeTokens;
            if (event && entry.callbacks.onToken)
                entry.callbacks.onToken(*event);
        }
        if (row.sequence.done()) {
            report(row);
        } else {
            keep.push_back(static_cast<int64_t>(b));
            next.push_back(row.sequence.lastToken());
        }
    }
    if (keep.size() != rows_.size()) { // finished rows leave the batch and the cache
        std::vector<Row> kept;
        for (int64_t b : keep)
            kept.push_back(std::move(rows_[static_cast<size_t>(b)]));
        rows_ = std::move(kept);
        if (rows_.empty()) {
            cache_ = {};
            logits_ = at::Tensor();
            stats_.decodeSeconds += since(start);
            return;
        }
        cache_.selectRows(at::tensor(keep, at::kLong));
        cache_.dropLeadingPadding();
    }
    cache_.reserve(1);
    const at::Tensor input = at::tensor(next, at::kLong).view({-1, 1}).to(model_.device());
    logits_ = model_.forward(input, {.cache = &cache_, .lastTokenOnly = true}).logits.squeeze(1);
    stats_.decodeSeconds += since(start);
}

} // namespace thinkbench::inference
