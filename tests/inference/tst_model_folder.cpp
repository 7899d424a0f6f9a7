// Broken model folders as they come from the internet: each fails to load with an error naming the
// file and the place (tensor, vocabulary), and the CLI prints the engine's message word for word.
// The chat panel shows the same message (tests/widgets/tst_chat.cpp, badFolderNamesTheFile).

#include "core/error.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "core/tokenizer/bpe_trainer.h"
#include "inference/model_folder.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace thinkbench;
namespace fs = std::filesystem;

namespace {

// The engine's message for loading dir, or "" when it loads.
std::string loadError(const std::string& dir)
{
    try {
        inference::loadModelFolder(dir, at::kFloat, at::kCPU);
    } catch (const core::Error& e) {
        return e.what();
    }
    return {};
}

nlohmann::json readJson(const std::string& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

} // namespace

class TestModelFolder : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string good_; // a tiny qwen2 folder with its own tokenizer
    int copies_ = 0;

    std::string copyOfGood()
    {
        const std::string dir = tmp_.filePath(QString("m%1").arg(copies_++)).toStdString();
        fs::copy(good_, dir);
        return dir;
    }

    std::map<std::string, at::Tensor> weights() const
    {
        return core::Transformer::load(good_, at::kFloat, at::kCPU).namedParameters();
    }

private slots:
    void initTestCase()
    {
        std::vector<std::string> texts;
        for (int i = 0; i < 100; ++i)
            texts.push_back("<think>" + std::to_string(i) + " plus " + std::to_string(i * 3) + "</think> so it is " +
                            std::to_string(i * 4));
        core::BpeTrainerOptions options;
        options.vocabSize = 300;
        const core::Tokenizer tokenizer = core::trainByteLevelBpe(texts, options);
        const auto config = core::ModelConfig::fromJson({{"model_type", "qwen2"},
                                                         {"vocab_size", tokenizer.vocabSize()},
                                                         {"hidden_size", 16},
                                                         {"intermediate_size", 32},
                                                         {"num_hidden_layers", 2},
                                                         {"num_attention_heads", 2},
                                                         {"num_key_value_heads", 1},
                                                         {"tie_word_embeddings", true}},
                                                        "tiny");
        good_ = tmp_.filePath("good").toStdString();
        core::Transformer(config, at::kFloat, at::kCPU).save(good_);
        tokenizer.save(good_ + "/tokenizer.json");
        QCOMPARE(loadError(good_), std::string());
    }

    void nonFiniteWeightsNameTheTensor()
    {
        for (const float bad : {std::nanf(""), INFINITY}) {
            const std::string dir = copyOfGood();
            auto tensors = weights();
            tensors["model.layers.1.mlp.up_proj.weight"][3][5] = bad;
            core::writeSafetensors(dir + "/model.safetensors", tensors);
            const std::string error = loadError(dir);
            QVERIFY2(error.find(dir +
                                "/model.safetensors: tensor model.layers.1.mlp.up_proj.weight: 1 of 512 values "
                                "are not finite (NaN or Inf), the first (" +
                                std::string(std::isnan(bad) ? "nan" : "inf") + ") at [3, 5]") == 0,
                     error.c_str());
        }
    }

    void tokenizerBeyondTheEmbeddingNamesBothFiles()
    {
        const std::string dir = copyOfGood();
        auto config = readJson(dir + "/config.json");
        const int rows = config["vocab_size"].get<int>() - 40;
        config["vocab_size"] = rows;
        auto tensors = weights();
        tensors["model.embed_tokens.weight"] = tensors["model.embed_tokens.weight"].narrow(0, 0, rows).clone();
        core::writeSafetensors(dir + "/model.safetensors", tensors);
        std::ofstream(dir + "/config.json") << config.dump();
        const std::string error = loadError(dir);
        QVERIFY2(error.find(dir + "/tokenizer.json: vocabulary: ids up to " + std::to_string(rows + 39) +
                            ", but model.embed_tokens.weight in " + dir + "/model.safetensors has " +
                            std::to_string(rows) + " rows") == 0,
                 error.c_str());

        // The other way round is the usual padding (embedding rows rounded up): it loads.
        const std::string padded = copyOfGood();
        auto wide = readJson(padded + "/config.json");
        wide["vocab_size"] = rows + 100;
        auto more = weights();
        more["model.embed_tokens.weight"] = at::zeros({rows + 100, 16});
        core::writeSafetensors(padded + "/model.safetensors", more);
        std::ofstream(padded + "/config.json") << wide.dump();
        QCOMPARE(loadError(padded), std::string());
    }

    void configContradictingTheWeightsNamesTheTensor()
    {
        const std::string dir = copyOfGood();
        auto config = readJson(dir + "/config.json");
        config["intermediate_size"] = 48;
        std::ofstream(dir + "/config.json") << config.dump();
        const std::string error = loadError(dir);
        QVERIFY2(error.find(dir + "/model.safetensors: tensor model.layers.0.mlp.down_proj.weight: has shape [16, 32], "
                                  "the config implies [16, 48]") == 0,
                 error.c_str());
    }

    void missingAndTruncatedShardsNameTheShard()
    {
        const std::string dir = copyOfGood();
        fs::remove(dir + "/model.safetensors");
        std::map<std::string, at::Tensor> first, second;
        nlohmann::json index = {{"weight_map", nlohmann::json::object()}};
        for (const auto& [name, t] : weights()) {
            const bool early = name.find("layers.1.") == std::string::npos;
            (early ? first : second)[name] = t;
            index["weight_map"][name] = early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        }
        core::writeSafetensors(dir + "/model-00001-of-00002.safetensors", first);
        core::writeSafetensors(dir + "/model-00002-of-00002.safetensors", second);
        std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
        QCOMPARE(loadError(dir), std::string());

        const std::string shard = dir + "/model-00002-of-00002.safetensors";
        fs::resize_file(shard, fs::file_size(shard) - 64);
        std::string error = loadError(dir);
        QVERIFY2(error.find(shard + ": tensor ") == 0 && error.find("data_offsets outside") != std::string::npos,
                 error.c_str());
        fs::resize_file(shard, 5);
        error = loadError(dir);
        QVERIFY2(error.find(shard + ": header: file too short") == 0, error.c_str());
        fs::remove(shard);
        error = loadError(dir);
        QVERIFY2(error.find(shard + ": missing: model.safetensors.index.json names it") == 0, error.c_str());

        std::ofstream(dir + "/model.safetensors.index.json") << R"({"weight_map": {"a": )";
        error = loadError(dir);
        QVERIFY2(error.find(dir + "/model.safetensors.index.json") == 0, error.c_str());
    }

    // A mistyped path, folder or .gguf file, says that it is not there (a missing .gguf used to read
    // as "not a model folder: config.json is missing"), through either loader.
    void missingPathSaysSo()
    {
        for (const std::string& path :
             {tmp_.filePath("absent").toStdString(), tmp_.filePath("absent.gguf").toStdString()}) {
            QCOMPARE(loadError(path), path + ": no such file or folder");
            try {
                core::Transformer::load(path, at::kFloat, at::kCPU);
                QFAIL("loaded a path that is not there");
            } catch (const core::Error& e) {
                QCOMPARE(std::string(e.what()), path + ": no such file or folder");
            }
        }
    }

    // thinkbench-cli prints the engine's message as it is, after "error: ", and exits 1.
    void cliPrintsTheSameMessage()
    {
        const std::string dir = copyOfGood();
        auto tensors = weights();
        tensors["model.norm.weight"][0] = std::nanf("");
        core::writeSafetensors(dir + "/model.safetensors", tensors);
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"generate", "--model", QString::fromStdString(dir), "--prompt", "1 plus 3"});
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 1);
        const QString err = QString::fromUtf8(cli.readAllStandardError()).trimmed();
        QCOMPARE(err, "error: " + QString::fromStdString(loadError(dir)));
    }
};

QTEST_GUILESS_MAIN(TestModelFolder)
#include "tst_model_folder.moc"
