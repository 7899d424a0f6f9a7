// Evaluation bookkeeping: pass@k arithmetic, pass@1's standard error, majority votes, statistics that match the stored
// samples, and the eval CLI on a small local model.

#include "core/model/transformer.h"
#include "core/store/run_store.h"
#include "core/tokenizer/bpe_trainer.h"
#include "inference/eval.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

using namespace thinkbench;

class TestEval : public QObject {
    Q_OBJECT

private slots:
    void passAtKMatchesTheEstimator()
    {
        // 1 - C(n-c, k) / C(n, k) by hand.
        QCOMPARE(inference::passAtK(16, 0, 1), 0.0);
        QCOMPARE(inference::passAtK(16, 16, 4), 1.0);
        QVERIFY(qFuzzyCompare(inference::passAtK(16, 4, 1), 0.25));
        QVERIFY(qFuzzyCompare(inference::passAtK(10, 3, 2), 1.0 - 21.0 / 45.0)); // C(7,2)/C(10,2)
        QCOMPARE(inference::passAtK(5, 3, 3), 1.0);                              // n - c < k
        QCOMPARE(inference::passAtK(2, 0, 4), 0.0); // fewer samples than k, none right: not solved
    }

    void passAtKMatchesTheClosedFormForSmallCounts()
    {
        const auto choose = [](int n, int r) { // exact in doubles for these sizes
            double value = 1;
            for (int i = 1; i <= r; ++i)
                value = value * (n - r + i) / i;
            return r < 0 || r > n ? 0.0 : value;
        };
        for (int n = 1; n <= 10; ++n)
            for (int c = 0; c <= n; ++c)
                for (int k = 1; k <= n; ++k)
                    QVERIFY(std::abs(inference::passAtK(n, c, k) - (1.0 - choose(n - c, k) / choose(n, k))) < 1e-12);
    }

    void pass1StderrIsTheStandardErrorOverProblems()
    {
        // Four problems, four samples each: 4, 2, 1 and 0 correct, so p = 1, 1/2, 1/4, 0. Mean 7/16;
        // squared deviations (9/16)^2 + (1/16)^2 + (3/16)^2 + (7/16)^2 = 140/256 = 35/64;
        // SE = sqrt(35/64 / (n - 1) / n) = sqrt(35/768).
        using S = inference::SampleOutcome;
        std::vector<inference::ItemResult> items;
        for (int correct : {4, 2, 1, 0}) {
            inference::ItemResult item;
            for (int i = 0; i < 4; ++i)
                item.samples.push_back(S{.correct = i < correct, .wellFormed = i != 0, .tokens = 10 * (i + 1)});
            item.pass1 = correct / 4.0;
            item.consCorrect = correct > 2;
            items.push_back(item);
        }
        const auto s = inference::summarize(items, 4);
        QCOMPARE(s.problems, 4);
        QVERIFY(std::abs(s.pass1 - 7.0 / 16) < 1e-12);
        QVERIFY(std::abs(s.pass1Stderr - std::sqrt(35.0 / 768)) < 1e-9);
        QVERIFY(std::abs(s.passAtK - 0.75) < 1e-12); // k = n: any sample correct
        QCOMPARE(s.consAtK, 0.25);
        QCOMPARE(s.meanLength, 25.0);
        QCOMPARE(s.formatRate, 0.75);
        // One problem (or none) has no spread to measure; equal problems have none.
        QCOMPARE(inference::pass1Stderr({0.5}), 0.0);
        QCOMPARE(inference::pass1Stderr({}), 0.0);
        QCOMPARE(inference::pass1Stderr({0.25, 0.25, 0.25}), 0.0);
    }

    void majorityVoteIsByEquivalenceWithDeterministicTies()
    {
        using S = inference::SampleOutcome;
        QCOMPARE(inference::majorityAnswer({S{.extracted = "1/2"}, S{.extracted = "3"}, S{.extracted = "0.5"}}),
                 std::string("1/2"));
        QCOMPARE(inference::majorityAnswer({S{.extracted = "7"}, S{.extracted = "8"}}), std::string("7"));
        QCOMPARE(inference::majorityAnswer({S{.extracted = "8"}, S{.extracted = "7"}}), std::string("8"));
        QCOMPARE(inference::majorityAnswer({S{}, S{}}), std::string());
    }

    void statisticsMatchTheStoredSamples()
    {
        at::set_num_threads(2);
        std::vector<std::string> texts;
        for (int i = 0; i < 100; ++i)
            texts.push_back("<think>" + std::to_string(i) + " + 1 = " + std::to_string(i + 1) + "</think> <answer>" +
                            std::to_string(i + 1) + "</answer>");
        const auto tokenizer = core::trainByteLevelBpe(texts, {.vocabSize = 300});
        torch::manual_seed(1);
        const core::Transformer model(core::ModelConfig::fromJson({{"model_type", "llama"},
                                                                   {"vocab_size", tokenizer.vocabSize()},
                                                                   {"hidden_size", 32},
                                                                   {"intermediate_size", 48},
                                                                   {"num_hidden_layers", 1},
                                                                   {"num_attention_heads", 2},
                                                                   {"num_key_value_heads", 1}},
                                                                  "tiny"),
                                      at::kFloat, at::kCPU);
        const auto problems =
            core::generateProblems(*core::makeTask("arithmetic:digits=1"), core::Split::HeldOut, 5, 3);
        inference::EvalOptions options;
        options.k = 4;
        options.maxNewTokens = 12;
        options.problemsPerBatch = 2;
        int progressCalls = 0;
        const auto result = inference::evaluate(model, tokenizer, problems, options, [&](int done, int total) {
            ++progressCalls;
            QVERIFY(done <= total);
        });
        QCOMPARE(progressCalls, 3);
        QCOMPARE(result.items.size(), size_t(5));
        double pass1 = 0;
        for (const auto& item : result.items) {
            QCOMPARE(item.samples.size(), size_t(4));
            int correct = 0;
            for (const auto& s : item.samples)
                correct += s.correct;
            QCOMPARE(item.pass1, correct / 4.0);
            pass1 += item.pass1;
        }
        QCOMPARE(result.summary.pass1, pass1 / 5);
        QVERIFY(result.summary.passAtK >= result.summary.pass1);
        QVERIFY(result.summary.formatRate >= 0 && result.summary.formatRate <= 1);

        QTemporaryDir dir;
        core::RunStore store(dir.filePath("eval.sqlite").toStdString());
        const int64_t id = inference::storeEvaluation(store, result, options, "tiny", "arithmetic");
        const auto items = store.evalItems(id);
        QCOMPARE(items.size(), size_t(5));
        const auto samples = nlohmann::json::parse(items[0].samples);
        QCOMPARE(samples.size(), size_t(4));
        QCOMPARE(samples[0]["completion"].get<std::string>(), result.items[0].samples[0].completion);
        const auto summary = nlohmann::json::parse(store.evaluations()[0].summary);
        QCOMPARE(summary["pass@1"].get<double>(), result.summary.pass1);
        QCOMPARE(summary["pass@1_stderr"].get<double>(), result.summary.pass1Stderr);
        QCOMPARE(result.summary.pass1Stderr, inference::summarize(result.items, options.k).pass1Stderr);

        // The CLI on the same model: a summary, and rows in the database.
        model.save(dir.filePath("model").toStdString());
        tokenizer.save(dir.filePath("model/tokenizer.json").toStdString());
        QProcess cli;
        cli.start(THINKBENCH_CLI,
                  {"eval", "--model", dir.filePath("model"), "--task", "arithmetic:digits=1", "-k", "2", "--limit", "3",
                   "--max-new-tokens", "8", "--db", dir.filePath("cli.sqlite"), "--json"});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const auto out = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
        QCOMPARE(out["problems"].get<int>(), 3);
        QVERIFY(out["pass@1_stderr"].get<double>() >= 0);
        core::RunStore cliStore(dir.filePath("cli.sqlite").toStdString(), core::OpenMode::ReadOnly);
        QCOMPARE(cliStore.evalItems(out["evaluation"].get<int64_t>()).size(), size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestEval)
#include "tst_eval.moc"
