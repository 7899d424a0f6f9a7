// Training from a GGUF file: a recipe whose model (or a stage's init) is a .gguf takes the
// tokenizer from the file's tokenizer.ggml.* metadata and trains the dequantized weights.

#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "core/store/run_store.h"
#include "core/tokenizer/tokenizer.h"
#include "training/pipeline.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace thinkbench;

namespace {

// A one-layer Qwen2 with a 260-token byte-level tokenizer (ids 256-259 special, eos 258).
const QString kGgufModel = THINKBENCH_SOURCE_DIR "/fuzz/corpus/gguf/qwen2_model";

const char* kTasks = R"(
[[tasks]]
name = "arithmetic"
options = { digits = "1", ops = "+" }
)";

const char* kSft = R"(
[[stages]]
kind = "sft"
name = "sft"
examples = 4
steps = 2
batch_size = 2
)";

} // namespace

class TestGgufTraining : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string model_;

    // Runs `recipe` and checks that its one SFT stage trained the GGUF file's weights.
    void trains(const std::string& recipe)
    {
        core::RunStore store(dir_.filePath("runs.sqlite").toStdString());
        training::PipelineOptions options;
        options.recipeFile = "gguf.toml";
        const auto result = training::runPipeline(recipe, store, options);
        QCOMPARE(result.status, std::string("finished"));
        QCOMPARE(store.series(result.run, "loss").size(), size_t(2));
        const core::Transformer before = core::Transformer::load(model_, at::kFloat, at::kCPU);
        const core::CheckpointReader after(result.finalCheckpoint);
        QCOMPARE(after.tensor("model.embed_tokens.weight").sizes(),
                 before.namedParameters().at("model.embed_tokens.weight").sizes());
        QVERIFY(!at::equal(after.tensor("model.norm.weight"), before.namedParameters().at("model.norm.weight")));
        // The run's tokenizer is the file's.
        const auto saved = core::Tokenizer::fromFile(
            (std::filesystem::path(result.finalCheckpoint).parent_path().parent_path() / "tokenizer.json").string());
        const auto file = core::ggufTokenizer(core::GgufFile(model_));
        QCOMPARE(saved.vocabSize(), 260);
        QCOMPARE(saved.encode("1 + 2 = 3 <think>", false), file.encode("1 + 2 = 3 <think>", false));
    }

private slots:
    void initTestCase()
    {
        at::set_num_threads(2);
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("tiny.gguf").toStdString();
        QVERIFY(QFile::copy(kGgufModel, QString::fromStdString(model_)));
    }

    void modelPath() { trains("name = \"model\"\nseed = 3\n\n[model]\npath = \"" + model_ + "\"\n" + kTasks + kSft); }

    // A stage that starts from a .gguf, with the run's tokenizer named by the same file.
    void stageInit()
    {
        std::string sft = kSft;
        sft.insert(sft.find("examples"), "init = \"" + model_ + "\"\n");
        trains("name = \"init\"\nseed = 3\n\n[model.config]\nmodel_type = \"qwen2\"\nhidden_size = 16\n"
               "intermediate_size = 32\nnum_hidden_layers = 1\nnum_attention_heads = 2\nnum_key_value_heads = 1\n\n"
               "[tokenizer]\npath = \"" +
               model_ + "\"\n" + kTasks + sft);
    }
};

QTEST_GUILESS_MAIN(TestGgufTraining)
#include "tst_gguf_training.moc"
