// Batched generation: greedy against Hugging Face's, padding and batching invariance, seeds,
// shared prefill, EOS, stop strings, length, cancellation, streaming and the think budget.

#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "core/text/think_tags.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/tokenizer.h"
#include "inference/chunked_prefill.h"
#include "inference/generator.h"
#include "inference/sampling.h"
#include "inference/threads.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include <QtTest>

#include <thread>

using namespace thinkbench;
using inference::GenerationRequest;

namespace {

const std::string kPeers = THINKBENCH_PEERS_DIR "/hf/";

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

std::vector<int32_t> toIds(const at::Tensor& t)
{
    std::vector<int32_t> out;
    for (int64_t i = 0; i < t.numel(); ++i)
        out.push_back(static_cast<int32_t>(t.view({-1})[i].item<int64_t>()));
    return out;
}

} // namespace

class TestGenerator : public QObject {
    Q_OBJECT

private:
    std::optional<core::Tokenizer> tokenizer_;
    std::optional<core::Transformer> small_; // random weights, the tokenizer's vocabulary

private slots:
    void initTestCase()
    {
        at::set_num_threads(2);
        tokenizer_ = smallTokenizer();
        torch::manual_seed(3);
        const auto config = core::ModelConfig::fromJson({{"model_type", "qwen2"},
                                                         {"vocab_size", tokenizer_->vocabSize()},
                                                         {"hidden_size", 32},
                                                         {"intermediate_size", 64},
                                                         {"num_hidden_layers", 2},
                                                         {"num_attention_heads", 4},
                                                         {"num_key_value_heads", 2},
                                                         {"tie_word_embeddings", true}},
                                                        "small");
        small_.emplace(config, at::kFloat, at::kCPU);
        torch::NoGradGuard noGrad;
        for (auto& [name, t] : small_->namedParameters())
            if (name.find("norm") == std::string::npos)
                t.normal_(0, 0.3);
    }

    void greedyMatchesHuggingFace_data()
    {
        QTest::addColumn<QString>("arch");
        for (const char* arch : {"qwen2", "llama", "deepseek_v3"})
            QTest::newRow(arch) << arch;
    }

    void greedyMatchesHuggingFace()
    {
        QFETCH(QString, arch);
        const std::string dir = kPeers + arch.toStdString();
        const auto model = core::Transformer::load(dir, at::kFloat, at::kCPU);
        core::SafetensorsFile reference(dir + "/reference.safetensors");
        const auto prompt = toIds(reference.tensor("greedy_prompt"));
        const auto expected = toIds(reference.tensor("greedy_output"));
        GenerationRequest request{prompt, {.maxNewTokens = 12, .eosIds = {-1}, .greedy = true}};
        inference::Generator generator(model, *tokenizer_);
        const auto results = generator.generate({request});
        std::vector<int32_t> full = prompt;
        full.insert(full.end(), results[0].ids.begin(), results[0].ids.end());
        QCOMPARE(full, expected);
        QCOMPARE(results[0].finish, inference::FinishReason::Length);
        QVERIFY(generator.lastStats().decodeTokensPerSecond() > 0);
        QVERIFY(generator.lastStats().peakMemoryBytes > 0);
    }

    // Prompts of different lengths in one batch give what each gives alone.
    void batchingDoesNotChangeOutputs()
    {
        const auto model = core::Transformer::load(kPeers + "deepseek_v3", at::kFloat, at::kCPU);
        inference::Generator generator(model, *tokenizer_);
        const inference::SamplingParams greedy{.maxNewTokens = 8, .eosIds = {-1}, .greedy = true};
        const std::vector<GenerationRequest> requests = {
            {{5, 17, 99, 3, 250}, greedy}, {{7, 7, 8, 9, 10, 11, 400, 2, 1}, greedy}, {{42}, greedy}};
        const auto together = generator.generate(requests);
        for (size_t i = 0; i < requests.size(); ++i)
            QCOMPARE(generator.generate({requests[i]})[0].ids, together[i].ids);

        // Sampling too: a sequence's stream depends on its seed, not on its neighbours.
        inference::SamplingParams sampled{.temperature = 1.0f, .maxNewTokens = 8, .eosIds = {-1}, .seed = 11};
        const auto a = generator.generate({{{5, 17, 99}, sampled}, {{1, 2}, sampled}});
        const auto b = generator.generate({{{5, 17, 99}, sampled}});
        QCOMPARE(a[0].ids, b[0].ids);
    }

    // The experts the generator records for routing replay are those each position went to: a
    // full forward over the prompt and the completion tokens fed back routes them the same way.
    // Prompts of different lengths: the left padding of the prefill is not recorded.
    void recordsRoutedExperts()
    {
        const auto model = core::Transformer::load(kPeers + "deepseek_v3", at::kFloat, at::kCPU);
        inference::Generator generator(model, *tokenizer_);
        inference::SamplingParams params{.temperature = 1.0f, .maxNewTokens = 6, .eosIds = {-1}, .seed = 3};
        std::vector<GenerationRequest> requests = {{{5, 17, 99, 3, 250}, params, 2}, {{42, 7}, params, 1}};
        for (auto& r : requests)
            r.recordExperts = true;
        const auto results = generator.generate(requests);
        const auto& c = model.config();
        int64_t layers = 0;
        for (int l = 0; l < c.num_hidden_layers; ++l)
            layers += c.isMoeLayer(l);
        const int64_t K = c.num_experts_per_tok;
        QVERIFY(layers > 0);
        double agree = 0, decisions = 0;
        for (const auto& r : results) {
            std::vector<int64_t> fed(requests[size_t(r.request)].promptIds.begin(),
                                     requests[size_t(r.request)].promptIds.end());
            fed.insert(fed.end(), r.ids.begin(), r.ids.end() - 1); // the last sampled token is never fed
            QCOMPARE(r.routedExperts.size(), fed.size() * size_t(layers * K));
            const auto full = model.forward(torch::tensor(fed, torch::kLong).view({1, -1}));
            for (size_t t = 0; t < fed.size(); ++t)
                for (int64_t l = 0; l < layers; ++l) {
                    const at::Tensor want = std::get<0>(full.routedExperts[size_t(l)][int64_t(t)].sort());
                    std::vector<int64_t> got(K);
                    for (int64_t k = 0; k < K; ++k)
                        got[size_t(k)] = r.routedExperts[(t * size_t(layers) + size_t(l)) * size_t(K) + size_t(k)];
                    agree += torch::equal(std::get<0>(torch::tensor(got).sort()), want);
                    ++decisions;
                }
        }
        qInfo("recorded routing agrees with a full forward on %.0f of %.0f decisions", agree, decisions);
        // The KV-cached forward's numerics may tip a near tie; a layout error would agree on few.
        QVERIFY(agree >= 0.97 * decisions);
        QVERIFY(generator.generate({{{5, 17}, params}})[0].routedExperts.empty()); // only when asked
    }

    // A prompt longer than a chunk (128 rows of x here, shared by the batch's rows) prefills
    // in several forwards through the cache: the last logits and the routed experts are what one
    // forward over the whole prompt gives, for left-padded rows too.
    void chunkedPrefillEqualsOnePass()
    {
        const auto model = core::Transformer::load(kPeers + "deepseek_v3", at::kFloat, at::kCPU);
        torch::NoGradGuard noGrad;
        torch::manual_seed(5);
        const int64_t rows = 128, T = 2 * rows + 37;
        // A GPU's prefill is one pass (prefillRows: INT64_MAX rows), whose chunk arithmetic once
        // overflowed into a division by zero.
        for (const auto& [B, chunkRows] :
             std::initializer_list<std::pair<int64_t, int64_t>>{{1, rows}, {2, rows}, {1, INT64_MAX}}) {
            const at::Tensor ids = torch::randint(0, model.config().vocab_size, {B, T}, torch::kLong);
            at::Tensor mask = torch::ones({B, T}, torch::kLong);
            if (B == 2)
                mask[1].narrow(0, 0, 100).fill_(0); // left padding across the first chunk and into the second
            core::KvCache cache = core::KvCache::create(model.config(), B, T, model.dtype(), model.device());
            const inference::PrefillOutput chunked = inference::prefillInChunks(model, ids, mask, cache, chunkRows);
            QCOMPARE(cache.length, T);
            core::KvCache whole = core::KvCache::create(model.config(), B, T, model.dtype(), model.device());
            const core::ForwardOutput once =
                model.forward(ids, {.cache = &whole, .attentionMask = mask, .lastTokenOnly = true});
            QCOMPARE(chunked.logits.sizes(), once.logits.sizes());
            const double error =
                (chunked.logits - once.logits).abs().max().item<double>() / once.logits.abs().max().item<double>();
            QVERIFY2(error < 1e-5, std::to_string(error).c_str());
            // MLA caches hold [B, positions, rank]. Padding's own entries differ (a fully padded chunk
            // attends to nothing), and nothing attends to them.
            const at::Tensor real = mask.to(at::kBool);
            for (size_t l = 0; l < cache.first.size(); ++l)
                QVERIFY(torch::allclose(cache.first[l].index({real}), whole.first[l].index({real}), 1e-4, 1e-5));
            QCOMPARE(chunked.routedExperts.size(), once.routedExperts.size());
            QVERIFY(!chunked.routedExperts.empty());
            double agree = 0, decisions = 0;
            for (size_t l = 0; l < once.routedExperts.size(); ++l) {
                QCOMPARE(chunked.routedExperts[l].sizes(), once.routedExperts[l].sizes());
                const at::Tensor a = std::get<0>(chunked.routedExperts[l].index({real.view(-1)}).sort(1));
                const at::Tensor b = std::get<0>(once.routedExperts[l].index({real.view(-1)}).sort(1));
                agree += (a == b).all(1).sum().item<double>();
                decisions += static_cast<double>(a.size(0));
            }
            QVERIFY2(agree >= 0.99 * decisions, (std::to_string(agree) + " of " + std::to_string(decisions)).c_str());
        }
    }

    void seedsAndSharedPrefill()
    {
        inference::Generator generator(*small_, *tokenizer_);
        const auto prompt = tokenizer_->encode("Let me add 3 and");
        inference::SamplingParams params{.temperature = 1.0f, .maxNewTokens = 20, .eosIds = {-1}, .seed = 5};
        const auto first = generator.generate({{prompt, params, 4}});
        QCOMPARE(generator.lastStats().prefillTokens, int64_t(prompt.size())); // prefilled once
        QCOMPARE(first.size(), size_t(4));
        const auto again = generator.generate({{prompt, params, 4}});
        for (size_t i = 0; i < 4; ++i)
            QCOMPARE(again[i].ids, first[i].ids);
        int distinct = 0;
        for (size_t i = 1; i < 4; ++i)
            distinct += first[i].ids != first[0].ids;
        QVERIFY(distinct > 0);
        params.seed = 6;
        QVERIFY(generator.generate({{prompt, params, 1}})[0].ids != first[0].ids);
        for (float logprob : first[0].tokenLogprobs)
            QVERIFY(logprob <= 0.0f);
    }

    void stopsAtEosStopStringsAndLength()
    {
        inference::Generator generator(*small_, *tokenizer_);
        const auto prompt = tokenizer_->encode("The answer is");
        inference::SamplingParams greedy{.maxNewTokens = 30, .eosIds = {-1}, .greedy = true};
        const auto free = generator.generate({{prompt, greedy}})[0];
        QCOMPARE(free.ids.size(), size_t(30));
        QCOMPARE(free.finish, inference::FinishReason::Length);

        // EOS: the fourth greedy token (first occurrence) ends the sequence before it.
        size_t at = 3;
        while (std::find(free.ids.begin(), free.ids.begin() + at, free.ids[at]) != free.ids.begin() + at)
            ++at;
        auto withEos = greedy;
        withEos.eosIds = {free.ids[at]};
        const auto eos = generator.generate({{prompt, withEos}})[0];
        QCOMPARE(eos.finish, inference::FinishReason::Eos);
        QCOMPARE(eos.ids, std::vector<int32_t>(free.ids.begin(), free.ids.begin() + at));

        // A stop string taken from the middle of the free text.
        QVERIFY(free.text.size() > 10);
        auto withStop = greedy;
        size_t from = free.text.size() / 3; // three ASCII characters: a stop string is text
        while (from + 3 < free.text.size() && !std::all_of(free.text.begin() + from, free.text.begin() + from + 3,
                                                           [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
            ++from;
        QVERIFY(from + 3 < free.text.size());
        const std::string stop = free.text.substr(from, 3);
        withStop.stopStrings = {stop};
        const auto stopped = generator.generate({{prompt, withStop}})[0];
        QCOMPARE(stopped.finish, inference::FinishReason::Stop);
        QCOMPARE(stopped.text, free.text.substr(0, free.text.find(stop)));
    }

    void streamsAndCancels()
    {
        inference::Generator generator(*small_, *tokenizer_);
        const auto prompt = tokenizer_->encode("Let me");
        std::string streamed;
        auto result = generator.generate({{prompt, {.maxNewTokens = 25, .eosIds = {-1}, .seed = 1}}},
                                         [&](const inference::TokenEvent& e) { streamed += e.textDelta; })[0];
        QCOMPARE(streamed, result.text);

        std::atomic<bool> cancel{false};
        int tokens = 0;
        result = generator.generate(
            {{prompt, {.maxNewTokens = 200, .eosIds = {-1}, .seed = 1}}},
            [&](const inference::TokenEvent&) {
                if (++tokens == 5)
                    cancel = true;
            },
            &cancel)[0];
        QCOMPARE(result.finish, inference::FinishReason::Cancelled);
        QCOMPARE(result.ids.size(), size_t(5));
    }

    void thinkBudgetClosesTheThought()
    {
        inference::Generator generator(*small_, *tokenizer_);
        GenerationRequest request{tokenizer_->encode("<think>\n"),
                                  {.maxNewTokens = 20, .eosIds = {-1}, .greedy = true, .thinkBudget = 4}};
        request.promptOpensThinking = true;
        std::vector<bool> reasoningFlags;
        const auto result = generator.generate(
            {request}, [&](const inference::TokenEvent& e) { reasoningFlags.push_back(e.inReasoning); })[0];
        const auto close = tokenizer_->encode("\n</think>\n\n");
        QVERIFY(std::equal(close.begin(), close.end(), result.ids.begin() + 4));
        QVERIFY(result.text.find("</think>") != std::string::npos);
        QVERIFY(reasoningFlags.front());
        QVERIFY(!reasoningFlags.back());
        QCOMPARE(result.answer, core::splitReasoning(result.text, true).answer);
    }

    void generateCli()
    {
        QTemporaryDir dir;
        const QString tokenizer = dir.filePath("tokenizer.json");
        tokenizer_->save(tokenizer.toStdString());
        const std::string model = kPeers + "qwen2";
        core::SafetensorsFile reference(model + "/reference.safetensors");
        const auto prompt = toIds(reference.tensor("greedy_prompt"));
        QStringList ids;
        for (int32_t id : prompt)
            ids << QString::number(id);
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"generate", "--model", QString::fromStdString(model), "--tokenizer", tokenizer,
                                   "--prompt-ids", ids.join(','), "--greedy", "--max-new-tokens", "12", "--json"});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const auto out = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
        std::vector<int32_t> full = prompt;
        for (int32_t id : out["ids"].get<std::vector<int32_t>>())
            full.push_back(id);
        QCOMPARE(full, toIds(reference.tensor("greedy_output")));
        QVERIFY(out["timings"]["decode_tokens_per_second"].get<double>() > 0);

        QProcess noTokenizer;
        noTokenizer.start(THINKBENCH_CLI, {"generate", "--model", QString::fromStdString(model), "--prompt", "hi"});
        QVERIFY(noTokenizer.waitForFinished(120000));
        QCOMPARE(noTokenizer.exitCode(), 1);
        QVERIFY(noTokenizer.readAllStandardError().contains("no tokenizer.json"));
    }

    // Top-p keeps the smallest head of the distribution holding the mass asked for, also when the
    // head is thousands of tokens long; top-k and min-p cut as documented; the reported log-prob
    // is the untruncated one.
    void samplingTruncates()
    {
        const int64_t V = 5000;
        const at::Tensor logits = -0.002 * at::arange(V, at::kFloat); // token i is likelier than i + 1
        const at::Tensor logprobs = at::log_softmax(logits, -1);
        const auto cut = [&](double mass) { // tokens before the cumulative probability reaches mass
            return (logprobs.exp().cumsum(0) < mass).sum().item<int64_t>() + 1;
        };
        inference::SamplingParams params;
        std::mt19937_64 rng(5);
        struct Case {
            float topP;
            int topK;
            float minP;
            int64_t limit;
        };
        for (const Case& c : {Case{0.9f, 0, 0.0f, cut(0.9)}, Case{0.02f, 0, 0.0f, cut(0.02)}, Case{1.0f, 3, 0.0f, 3},
                              Case{1.0f, 0, 0.5f, int64_t(std::floor(std::log(2.0) / 0.002)) + 1}}) {
            params.topP = c.topP;
            params.topK = c.topK;
            params.minP = c.minP;
            int64_t highest = 0;
            for (int i = 0; i < 3000; ++i) {
                const auto token = inference::sampleToken(logits, params, rng);
                QVERIFY2(token.id < c.limit, qPrintable(QString("token %1, limit %2").arg(token.id).arg(c.limit)));
                QCOMPARE_LE(std::abs(token.logprob - logprobs[token.id].item<float>()), 1e-5f);
                highest = std::max<int64_t>(highest, token.id);
            }
            QVERIFY2(highest >= c.limit * 9 / 10,
                     qPrintable(QString("highest %1, limit %2").arg(highest).arg(c.limit)));
        }
    }

    // The greedy pick's log-prob over a vocabulary the size of Qwen's, in f32 and bf16 logits: within
    // 1e-5 of log_softmax's in double, and the same bits on one thread as on two (its exponentials run on the
    // threads, its sum in one order).
    void greedyLogprobOnAnyThreadCount()
    {
        const int threads = at::get_num_threads();
        at::manual_seed(3);
        for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
            const at::Tensor logits = (4 * at::randn({151936})).to(dtype);
            const double expected = at::log_softmax(logits.to(at::kDouble), -1).max().item<double>();
            inference::SamplingParams params;
            params.greedy = true;
            std::mt19937_64 rng(1);
            std::vector<inference::SampledToken> picks;
            for (int n : {1, 2}) {
                at::set_num_threads(n);
                picks.push_back(inference::sampleToken(logits, params, rng));
            }
            at::set_num_threads(threads);
            QCOMPARE(picks[0].id, logits.argmax().item<int64_t>());
            QCOMPARE(picks[1].id, picks[0].id);
            QCOMPARE(picks[1].logprob, picks[0].logprob);
            QCOMPARE_LE(std::abs(picks[0].logprob - expected), 1e-5);
        }
    }

    // A recipe's `threads` caps torch's threads for every dtype; 0 gives it every core, or, in one
    // of a launcher's processes on this machine (LOCAL_WORLD_SIZE), its share of them.
    void threadsFollowTheSetting()
    {
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        inference::configureCpuThreads(at::kCPU, 3);
        QCOMPARE(at::get_num_threads(), 3);
        inference::configureCpuThreads(at::kCPU, 1);
        QCOMPARE(at::get_num_threads(), 1);
        inference::configureCpuThreads(at::kCPU, 0);
        QCOMPARE(at::get_num_threads(), cores);
        setenv("LOCAL_WORLD_SIZE", "2", 1);
        inference::configureCpuThreads(at::kCPU, 0);
        QCOMPARE(at::get_num_threads(), std::max(1, cores / 2));
        inference::configureCpuThreads(at::kCPU, 3); // a setting is kept as it is
        QCOMPARE(at::get_num_threads(), 3);
        setenv("LOCAL_WORLD_SIZE", std::to_string(4 * cores).c_str(), 1);
        inference::configureCpuThreads(at::kCPU, 0);
        QCOMPARE(at::get_num_threads(), 1);
        unsetenv("LOCAL_WORLD_SIZE");
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "tst_generator.moc"
