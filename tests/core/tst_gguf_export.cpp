// GGUF out: models and tokenizers exported by core/gguf read back by llama.cpp's `gguf` package
// (PyPI, run at test time) with the same metadata and tensors, Q8_0 quantized as the package
// quantizes, and loaded again by ThinkBench with the logits and token ids they had.

#include "core/error.h"
#include "core/gguf/gguf_export.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include "tests/python_peer.h"

#include <QProcess>
#include <QtTest>

#include <cstring>

using namespace thinkbench::core;

namespace {

const std::string kPeers = THINKBENCH_PEERS_DIR "/hf/";
const std::string kTokenizers = THINKBENCH_PEER_TOKENIZERS_DIR "/";
const QString kCorpus = THINKBENCH_SOURCE_DIR "/tests/data/tokenizer/corpus.jsonl";

// A metadata value as the gguf package's ReaderField.contents() gives it.
nlohmann::json contents(const GgufValue& v)
{
    switch (v.type) {
    case GgufValueType::String:
        return v.text;
    case GgufValueType::Float32:
    case GgufValueType::Float64:
        return v.real;
    case GgufValueType::Bool:
        return v.integer != 0;
    case GgufValueType::Array: {
        nlohmann::json items = nlohmann::json::array();
        for (const GgufValue& item : v.items)
            items.push_back(contents(item));
        return items;
    }
    default:
        return v.integer;
    }
}

GgmlType typeNamed(const QString& name)
{
    return name == "F32"    ? GgmlType::F32
           : name == "F16"  ? GgmlType::F16
           : name == "BF16" ? GgmlType::BF16
                            : GgmlType::Q8_0;
}

} // namespace

class TestGgufExport : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

private slots:
    void initTestCase()
    {
        at::set_num_threads(2);
        QVERIFY(dir_.isValid());
    }

    void readsBack_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("type");
        for (const char* type : {"F32", "F16", "BF16", "Q8_0"}) {
            QTest::addRow("qwen2 %s", type) << "qwen2"
                                            << "qwen3" << type;
            QTest::addRow("llama %s", type) << "llama"
                                            << "deepseek_v3" << type; // llama3 rope, permuted Q/K
        }
    }

    void readsBack()
    {
        QFETCH(QString, model);
        QFETCH(QString, tokenizer);
        QFETCH(QString, type);
        const std::string hf = kPeers + model.toStdString();
        const Transformer original = Transformer::load(hf, at::kFloat, at::kCPU);
        const Tokenizer tokens = Tokenizer::fromDirectory(kTokenizers + tokenizer.toStdString());
        const QString out = dir_.filePath(model + "_" + type + ".gguf");
        exportGguf(original, &tokens, out.toStdString(), typeNamed(type));
        QStringList args = {"dump", out, out + ".safetensors"};
        if (type == "Q8_0") {
            const QString f32 = dir_.filePath(model + "_q8_reference.gguf");
            exportGguf(original, nullptr, f32.toStdString(), GgmlType::F32);
            args << f32;
        }
        const nlohmann::json peer = runPythonPeer("gguf_files.py", args).at(0);

        // The package reads every key and tensor we wrote, with our values and our bytes.
        const GgufFile file(out.toStdString());
        QCOMPARE(peer["metadata"].size(), file.header().metadata.size());
        for (const auto& [key, value] : file.header().metadata) {
            QVERIFY2(peer["metadata"].contains(key), key.c_str());
            QVERIFY2(peer["metadata"][key][1] == contents(value), key.c_str());
        }
        const SafetensorsFile dequantized((out + ".safetensors").toStdString());
        QCOMPARE(peer["tensors"].size(), file.tensors().size());
        for (const GgufTensorInfo& t : file.tensors()) {
            QCOMPARE(peer["tensors"][t.name]["type"].get<std::string>(), ggmlTypeName(t.type));
            QCOMPARE(peer["tensors"][t.name]["shape"].get<std::vector<int64_t>>(), t.shape);
            const at::Tensor ours = file.tensor(t.name).to(at::kFloat).contiguous();
            const at::Tensor theirs = dequantized.tensor(t.name);
            QVERIFY2(std::memcmp(ours.data_ptr(), theirs.data_ptr(), ours.numel() * sizeof(float)) == 0,
                     t.name.c_str());
        }
        if (type == "Q8_0")
            QCOMPARE(peer["q8_0_differ"].get<int>(), 0);

        // Loaded again: an F32 file gives the model's logits; the tokenizer its ids.
        const Transformer back = Transformer::load(out.toStdString(), at::kFloat, at::kCPU);
        if (type == "F32") {
            torch::NoGradGuard noGrad;
            const at::Tensor ids = SafetensorsFile(hf + "/reference.safetensors").tensor("input_ids");
            const at::Tensor want = original.forward(ids).logits;
            // llama3 rope comes back as per-frequency divisors: last-bit differences in the angles.
            const double error =
                (back.forward(ids).logits - want).abs().max().item<double>() / want.abs().max().item<double>();
            QVERIFY2(error <= 1e-6, qPrintable(QString::number(error)));
        }
        const Tokenizer again = ggufTokenizer(file);
        QCOMPARE(again.chatTemplateSource(), tokens.chatTemplateSource());
        QCOMPARE(again.eosId(), tokens.eosId());
        int texts = 0;
        for (const QByteArray& line : readAll(kCorpus).split('\n')) {
            if (line.trimmed().isEmpty() || ++texts > 300)
                continue;
            const std::string text = nlohmann::json::parse(line.toStdString())["text"].get<std::string>();
            QVERIFY2(again.encode(text, true) == tokens.encode(text, true), text.c_str());
        }
    }

    // thinkbench-cli export-gguf: a GGUF model (with its tokenizer) written again as F32 loads with
    // the same weights, tokenizer and chat template.
    void cliExport()
    {
        const QString source = dir_.filePath("seed.gguf");
        QVERIFY(QFile::copy(THINKBENCH_SOURCE_DIR "/fuzz/corpus/gguf/qwen2_model", source));
        const QString out = dir_.filePath("seed_f32.gguf");
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"export-gguf", "--model", source, "--output", out, "--type", "f32"});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const Transformer a = Transformer::load(source.toStdString(), at::kFloat, at::kCPU);
        const Transformer b = Transformer::load(out.toStdString(), at::kFloat, at::kCPU);
        for (const auto& [name, t] : a.namedParameters())
            QVERIFY2(at::equal(t, b.namedParameters().at(name)), name.c_str());
        const Tokenizer ta = ggufTokenizer(GgufFile(source.toStdString()));
        const Tokenizer tb = ggufTokenizer(GgufFile(out.toStdString()));
        QCOMPARE(tb.encode("abc ab <think>", true), ta.encode("abc ab <think>", true));
        QCOMPARE(tb.chatTemplateSource(), ta.chatTemplateSource());

        cli.start(THINKBENCH_CLI, {"export-gguf", "--model", source, "--output", out, "--type", "q4_k"});
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 1);
        QVERIFY(cli.readAllStandardError().contains("--type: \"q4_k\" is not f32, f16, bf16 or q8_0"));
    }

    void unsupportedArchitecture()
    {
        const Transformer deepseek = Transformer::load(kPeers + "deepseek_v3", at::kFloat, at::kCPU);
        const std::string out = dir_.filePath("deepseek.gguf").toStdString();
        try {
            exportGguf(deepseek, nullptr, out, GgmlType::F32);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(out + ": GGUF export of deepseek_v3") == 0, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufExport)
#include "tst_gguf_export.moc"
