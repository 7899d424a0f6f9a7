#include "inference/generator.h"

#include "inference/chunked_prefill.h"
#include "inference/sequence.h"

#include "core/error.h"
#include "core/model/transformer.h"
#include "core/text/think_tags.h"
#include "core/tokenizer/tokenizer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>

namespace thinkbench::inference {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

size_t peakResidentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stoull(line.substr(6)) * 1024;
    return 0;
}

// Appends each row's experts of one forward ([MoE layers] of [rows * T, K]) to the row's record,
// from its position `from[row]` on (none given: 0); rows without a record (nullptr) are skipped.
void appendExperts(const std::vector<at::Tensor>& routed, const std::vector<std::vector<int16_t>*>& records,
                   const std::vector<int64_t>& from = {})
{
    const auto rows = static_cast<int64_t>(records.size());
    if (routed.empty() || std::ranges::all_of(records, [](const auto* record) { return record == nullptr; }))
        return;
    // [rows, T, layers, K]: the record's layout, one contiguous run per row.
    const at::Tensor all = at::stack(routed).to(at::kCPU).to(at::kShort);
    const at::Tensor byRow = all.view({all.size(0), rows, -1, all.size(2)}).permute({1, 2, 0, 3}).contiguous();
    const int64_t perPosition = byRow.size(2) * byRow.size(3);
    for (int64_t r = 0; r < rows; ++r) {
        if (!records[size_t(r)])
            continue;
        const int16_t* row = byRow[r].data_ptr<int16_t>();
        const int64_t first = from.empty() ? 0 : from[size_t(r)];
        records[size_t(r)]->insert(records[size_t(r)]->end(), row + first * perPosition,
                                   row + byRow.size(1) * perPosition);
    }
}

} // namespace

const char* finishReasonName(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Eos:
        return "eos";
    case FinishReason::Stop:
        return "stop";
    case FinishReason::Length:
        return "length";
    case FinishReason::Cancelled:
        return "cancelled";
    }
    return "";
}

Generator::Generator(const core::Transformer& model, const core::Tokenizer& tokenizer)
    : model_(model)
    , tokenizer_(tokenizer)
{
}

std::vector<GenerationResult> Generator::generate(const std::vector<GenerationRequest>& requests,
                                                  const TokenCallback& onToken, const std::atomic<bool>* cancel)
{
    torch::NoGradGuard noGrad;
    stats_ = {};
    if (requests.empty())
        return {};
    const at::Device device = model_.device();
    const int64_t R = static_cast<int64_t>(requests.size());
    int64_t maxPrompt = 0, maxNew = 0;
    for (const auto& r : requests) {
        if (r.promptIds.empty())
            throw core::Error("", "prompt", "a prompt needs at least one token");
        if (r.n < 1)
            throw core::Error("", "n", "must be at least 1");
        for (int32_t id : r.promptIds)
            if (id < 0 || id >= model_.config().vocab_size)
                throw core::Error("", "prompt", "token id " + std::to_string(id) + " is outside the vocabulary");
        maxPrompt = std::max<int64_t>(maxPrompt, static_cast<int64_t>(r.promptIds.size()));
        maxNew = std::max<int64_t>(maxNew, r.params.maxNewTokens + (r.params.thinkBudget >= 0 ? 8 : 0));
    }
    const std::vector<int32_t> closeThought = tokenizer_.encode("\n" + std::string(core::kThinkClose) + "\n\n");
    if (!closeThought.empty())
        maxNew += static_cast<int64_t>(closeThought.size());

    // Prefill every prompt once, left-padded.
    at::Tensor ids = at::zeros({R, maxPrompt}, at::kLong);
    at::Tensor mask = at::zeros({R, maxPrompt}, at::kLong);
    for (int64_t r = 0; r < R; ++r) {
        const auto& p = requests[static_cast<size_t>(r)].promptIds;
        const int64_t offset = maxPrompt - static_cast<int64_t>(p.size());
        for (size_t i = 0; i < p.size(); ++i)
            ids[r][offset + static_cast<int64_t>(i)] = p[i];
        mask.narrow(0, r, 1).narrow(1, offset, static_cast<int64_t>(p.size())).fill_(1);
        stats_.prefillTokens += static_cast<int64_t>(p.size());
    }
    auto start = Clock::now();
    core::KvCache cache = core::KvCache::create(model_.config(), R, maxPrompt + maxNew, model_.dtype(), device);
    const PrefillOutput prefill = prefillInChunks(model_, ids.to(device), mask.to(device), cache, prefillRows(model_));
    at::Tensor logits = prefill.logits.squeeze(1);
    stats_.prefillSeconds = since(start);
    std::vector<std::vector<int16_t>> promptExperts(static_cast<size_t>(R));
    std::vector<std::vector<int16_t>*> promptRecords;
    std::vector<int64_t> firstReal; // the prompts are left-padded
    for (int64_t r = 0; r < R; ++r) {
        const GenerationRequest& req = requests[size_t(r)];
        promptRecords.push_back(req.recordExperts ? &promptExperts[size_t(r)] : nullptr);
        firstReal.push_back(maxPrompt - static_cast<int64_t>(req.promptIds.size()));
    }
    appendExperts(prefill.routedExperts, promptRecords, firstReal);

    // One row per sample: repeat each prompt's cache row n times.
    std::vector<Sequence> seqs;
    std::vector<int64_t> rows;
    std::vector<int32_t> configEos = model_.config().eos_token_ids;
    if (auto eos = tokenizer_.eosId())
        configEos.push_back(*eos);
    for (int r = 0; r < R; ++r) {
        const GenerationRequest& req = requests[static_cast<size_t>(r)];
        for (int s = 0; s < req.n; ++s) {
            Sequence seq(tokenizer_, req, r, s, configEos, closeThought);
            seq.result().routedExperts = promptExperts[size_t(r)];
            seqs.push_back(std::move(seq));
            rows.push_back(r);
        }
    }
    const at::Tensor rowIndex = at::tensor(rows, at::kLong);
    cache.selectRows(rowIndex);
    logits = logits.index_select(0, rowIndex.to(logits.device()));

    std::vector<size_t> live(seqs.size());
    for (size_t i = 0; i < live.size(); ++i)
        live[i] = i;
    start = Clock::now();
    while (!live.empty()) {
        const bool cancelled = cancel && cancel->load();
        const at::Tensor cpuLogits = logits.to(at::kCPU); // sampled in the model's dtype, no f32 copy
        std::vector<int64_t> nextTokens;
        std::vector<int64_t> keep;
        for (size_t b = 0; b < live.size(); ++b) {
            Sequence& seq = seqs[live[b]];
            if (cancelled) {
                seq.cancel();
                continue;
            }
            const std::optional<TokenEvent> event = seq.step(cpuLogits[static_cast<int64_t>(b)]);
            ++stats_.decodeTokens;
            if (event && onToken)
                onToken(*event);
            if (!seq.done()) {
                keep.push_back(static_cast<int64_t>(b));
                nextTokens.push_back(seq.lastToken());
            }
        }
        std::vector<size_t> stillLive;
        for (int64_t b : keep)
            stillLive.push_back(live[static_cast<size_t>(b)]);
        if (stillLive.empty())
            break;
        if (stillLive.size() != live.size()) // retire finished rows: the batch shrinks
            cache.selectRows(at::tensor(keep, at::kLong));
        live = std::move(stillLive);
        const at::Tensor input = at::tensor(nextTokens, at::kLong).view({-1, 1}).to(device);
        core::ForwardOutput step = model_.forward(input, {.cache = &cache, .attentionMask = {}, .lastTokenOnly = true});
        logits = step.logits.squeeze(1);
        std::vector<std::vector<int16_t>*> records;
        for (size_t i : live)
            records.push_back(seqs[i].request().recordExperts ? &seqs[i].result().routedExperts : nullptr);
        appendExperts(step.routedExperts, records);
    }
    stats_.decodeSeconds = since(start);
    stats_.peakMemoryBytes = peakResidentBytes();

    std::vector<GenerationResult> results;
    for (Sequence& seq : seqs)
        results.push_back(seq.finish());
    return results;
}

} // namespace thinkbench::inference
