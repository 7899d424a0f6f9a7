// Continuous batching: requests that join a running batch, or share it with others, get the tokens
// and log-probs they get alone, bit for bit (batch-invariant forward); a cancelled request leaves
// the batch at the next step; one request alone gives what the Generator gives.

#include "core/error.h"
#include "core/model/transformer.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/batch_engine.h"
#include "inference/generator.h"

#include <torch/torch.h>

#include <QtTest>

using namespace thinkbench;
using inference::GenerationRequest;
using inference::GenerationResult;

namespace {

core::Tokenizer smallTokenizer()
{
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i)
        texts.push_back("<think>Let me add " + std::to_string(i) + " and " + std::to_string(i * 7) +
                        ". Wait, check it.</think> The answer is " + std::to_string(i * 8) + ".\n");
    core::BpeTrainerOptions options;
    options.vocabSize = 320;
    return core::trainByteLevelBpe(texts, options);
}

// Runs the engine, adding request i before step joinAt[i]; results by request, then sample.
std::vector<std::vector<GenerationResult>> run(inference::BatchEngine& engine,
                                               const std::vector<GenerationRequest>& requests,
                                               const std::vector<int>& joinAt, int* peakRows = nullptr)
{
    std::vector<std::vector<GenerationResult>> results(requests.size());
    std::map<int, size_t> byId;
    for (int step = 0; step == 0 || !engine.idle(); ++step) {
        for (size_t i = 0; i < requests.size(); ++i)
            if (joinAt[i] == step)
                byId[engine.add(requests[i], {.onResult = [&results, &byId](GenerationResult r) {
                                    results[byId.at(r.request)].push_back(std::move(r));
                                }})] = i;
        engine.step();
        if (peakRows)
            *peakRows = std::max(*peakRows, engine.rows());
    }
    for (auto& r : results)
        std::ranges::sort(r, {}, &GenerationResult::sample);
    return results;
}

float maxLogprobGap(const GenerationResult& a, const GenerationResult& b)
{
    float gap = 0;
    for (size_t i = 0; i < std::min(a.tokenLogprobs.size(), b.tokenLogprobs.size()); ++i)
        gap = std::max(gap, std::abs(a.tokenLogprobs[i] - b.tokenLogprobs[i]));
    return gap;
}

} // namespace

class TestBatchEngine : public QObject {
    Q_OBJECT

private:
    std::optional<core::Tokenizer> tokenizer_;
    std::optional<core::Transformer> model_;
    std::vector<GenerationRequest> requests_;

private slots:
    void initTestCase()
    {
        at::set_num_threads(2);
        tokenizer_ = smallTokenizer();
        torch::manual_seed(3);
        const auto config = core::ModelConfig::fromJson({{"model_type", "qwen2"},
                                                         {"vocab_size", tokenizer_->vocabSize()},
                                                         {"hidden_size", 64},
                                                         {"intermediate_size", 128},
                                                         {"num_hidden_layers", 2},
                                                         {"num_attention_heads", 4},
                                                         {"num_key_value_heads", 2},
                                                         {"tie_word_embeddings", true}},
                                                        "small");
        model_.emplace(config, at::kFloat, at::kCPU);
        torch::NoGradGuard noGrad;
        for (auto& [name, t] : model_->namedParameters())
            if (name.find("norm") == std::string::npos)
                t.normal_(0, 0.3);
        // Different prompt lengths and lengths of reply, sampled, one with two samples and a
        // think budget, one greedy with a stop string.
        const auto sampled = [](uint64_t seed, int tokens) {
            return inference::SamplingParams{.temperature = 1.0f, .maxNewTokens = tokens, .eosIds = {-1}, .seed = seed};
        };
        requests_ = {{tokenizer_->encode("Let me add 3 and"), sampled(1, 30)},
                     {tokenizer_->encode("The answer is 24. Wait, check it again and again."), sampled(2, 12)},
                     {tokenizer_->encode("<think>\n"), sampled(3, 25), 2, true},
                     {tokenizer_->encode("7"), {.maxNewTokens = 20, .eosIds = {-1}, .greedy = true}}};
        requests_[2].params.thinkBudget = 6;
        // A stop string from the middle of the greedy reply, so the greedy row ends on it.
        const std::string free = inference::Generator(*model_, *tokenizer_).generate({requests_[3]})[0].text;
        const size_t at = free.find_first_of("abcdefghijklmnopqrstuvwxyz0123456789 ?.-", free.size() / 3);
        QVERIFY2(at != std::string::npos, free.c_str()); // an ASCII character: a stop string is text
        requests_[3].params.stopStrings = {"zz-never", free.substr(at, 1)};
    }

    // Each request alone, then all in one batch that they join at different steps.
    void joinedRowsGiveWhatTheyGiveAlone()
    {
        inference::BatchEngine engine(*model_, *tokenizer_, /*batchInvariant=*/true);
        std::vector<std::vector<GenerationResult>> alone;
        for (const auto& request : requests_)
            alone.push_back(run(engine, {request}, {0})[0]);
        int peak = 0;
        const auto together = run(engine, requests_, {0, 3, 3, 7}, &peak);
        QCOMPARE(peak, 5); // the rows of all four requests decoded in one batch
        for (size_t i = 0; i < requests_.size(); ++i) {
            QCOMPARE(together[i].size(), size_t(requests_[i].n));
            for (size_t s = 0; s < together[i].size(); ++s) {
                QCOMPARE(together[i][s].ids, alone[i][s].ids);
                QCOMPARE(together[i][s].tokenLogprobs, alone[i][s].tokenLogprobs); // bit for bit
                QCOMPARE(together[i][s].text, alone[i][s].text);
            }
        }
        QVERIFY(together[2][0].ids != together[2][1].ids);
        QVERIFY(together[2][0].text.find("</think>") != std::string::npos); // the budget closed the thought
        QCOMPARE(together[3][0].finish, inference::FinishReason::Stop);
    }

    // The finding behind the invariant forward: without it, the same rows come out with other
    // log-probs in the last bits once they share a batch (GEMM kernels chosen by row count, softmax
    // sums over padded keys). Reported, not asserted: it depends on the BLAS.
    void plainForwardDependsOnTheBatch()
    {
        inference::BatchEngine engine(*model_, *tokenizer_, /*batchInvariant=*/false);
        float gap = 0;
        for (size_t i = 0; i < requests_.size(); ++i) {
            const auto alone = run(engine, {requests_[i]}, {0})[0];
            const auto together = run(engine, requests_, {0, 3, 3, 7})[i];
            gap = std::max(gap, maxLogprobGap(alone[0], together[0]));
        }
        qInfo("plain batched forward: largest log-prob difference from the same request alone %g", double(gap));
    }

    // MLA and DeepSeekMoE run in the batch too; their forward is not yet batch-invariant (the
    // absorbed decode multiplies every row in one bmm, the router is one at::linear), so only the
    // greedy tokens are compared and the log-prob gap is reported.
    void mlaAndMoeRunInTheBatch()
    {
        const auto model = core::Transformer::load(THINKBENCH_PEERS_DIR "/hf/deepseek_v3", at::kFloat, at::kCPU);
        inference::BatchEngine engine(model, *tokenizer_, true);
        const inference::SamplingParams greedy{.maxNewTokens = 8, .eosIds = {-1}, .greedy = true};
        const std::vector<GenerationRequest> requests = {
            {{5, 17, 99, 3, 250}, greedy}, {{7, 7, 8, 9, 10, 11, 400, 2, 1}, greedy}, {{42}, greedy, 2}};
        const auto together = run(engine, requests, {0, 2, 4});
        float gap = 0;
        for (size_t i = 0; i < requests.size(); ++i) {
            const auto alone = run(engine, {requests[i]}, {0})[0];
            QCOMPARE(together[i].size(), alone.size());
            QCOMPARE(together[i][0].ids, alone[0].ids);
            gap = std::max(gap, maxLogprobGap(together[i][0], alone[0]));
        }
        qInfo("deepseek_v3 (MLA, MoE) in the batch: largest log-prob difference from alone %g", double(gap));
    }

    void cancelledRowsLeaveAtTheNextStep()
    {
        inference::BatchEngine engine(*model_, *tokenizer_, true);
        std::vector<GenerationResult> results;
        const auto collect = [&](GenerationResult r) { results.push_back(std::move(r)); };
        auto longRequest = requests_[0];
        longRequest.params.maxNewTokens = 500;
        const int cancelled = engine.add(longRequest, {.onResult = collect});
        engine.add(requests_[1], {.onResult = collect});
        engine.step();
        engine.step();
        QCOMPARE(engine.rows(), 2);
        engine.cancel(cancelled);
        engine.step();
        QCOMPARE(engine.rows(), 1);
        QCOMPARE(results.size(), size_t(1));
        QCOMPARE(results[0].finish, inference::FinishReason::Cancelled);
        QCOMPARE(results[0].ids.size(), size_t(2));
        while (!engine.idle())
            engine.step();
        QCOMPARE(results.size(), size_t(2));
        QCOMPARE(results[1].finish, inference::FinishReason::Length);
    }

    // One request alone through the engine (plain forward) is the Generator's request: the same
    // sequence logic, the same forward.
    void aloneMatchesTheGenerator()
    {
        inference::BatchEngine engine(*model_, *tokenizer_, false);
        inference::Generator generator(*model_, *tokenizer_);
        for (const auto& request : requests_) {
            const auto fromEngine = run(engine, {request}, {0})[0];
            const auto fromGenerator = generator.generate({request});
            QCOMPARE(fromEngine.size(), fromGenerator.size());
            for (size_t s = 0; s < fromEngine.size(); ++s) {
                QCOMPARE(fromEngine[s].ids, fromGenerator[s].ids);
                QCOMPARE(fromEngine[s].text, fromGenerator[s].text);
                QCOMPARE(fromEngine[s].reasoning, fromGenerator[s].reasoning);
                QCOMPARE(fromEngine[s].finish, fromGenerator[s].finish);
            }
        }
    }

    void refusesBadRequests()
    {
        inference::BatchEngine engine(*model_, *tokenizer_, true);
        const auto refused = [&](const GenerationRequest& request, const char* field) {
            try {
                engine.add(request, {});
            } catch (const core::Error& e) {
                return std::string(e.what()).find(field) != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused({{}, {}}, "prompt"));
        QVERIFY(refused({{1, 100000}, {}}, "vocabulary"));
        QVERIFY(refused({{1}, {}, 0}, "n"));
        QVERIFY(engine.idle());
    }
};

QTEST_GUILESS_MAIN(TestBatchEngine)
#include "tst_batch_engine.moc"
