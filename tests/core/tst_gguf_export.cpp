// GGUF out: models and tokenizers exported by core/gguf read back by llama.cpp's `gguf` package
// (PyPI, run at test time) with the same metadata and tensors, Q8_0 quantized as the package
// quantizes, and loaded again by ThinkBench with the logits and token ids they had.

#include "core/error.h"
#include "core/gguf/gguf_export.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_tokenizer.h"
#include "core/gguf/gguf_writer.h"
#include "core/model/safetensors.h"
#include "core/model/tensor_names.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include "tests/python_peer.h"
#include "tests/resident_pages.h"

#include <QProcess>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>

using namespace thinkbench::core;

namespace {

const std::string kPeers = THINKBENCH_PEERS_DIR "/hf/";
const std::string kTokenizers = THINKBENCH_PEER_TOKENIZERS_DIR "/";
const QString kCorpus = THINKBENCH_SOURCE_DIR "/tests/data/tokenizer/corpus.jsonl";

nlohmann::json contents(const GgufArray& array);

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
    case GgufValueType::Array:
        return contents(v.array);
    default:
        return v.integer;
    }
}

nlohmann::json contents(const GgufArray& array)
{
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < array.size(); ++i) {
        const GgufValueType type = array.elementType();
        if (type == GgufValueType::String)
            items.push_back(std::string(array.string(i)));
        else if (type == GgufValueType::Array)
            items.push_back(contents(array.array(i)));
        else if (isRealType(type))
            items.push_back(array.real(i));
        else if (type == GgufValueType::Bool)
            items.push_back(array.integer(i) != 0);
        else
            items.push_back(array.integer(i));
    }
    return items;
}

GgufExportType typeNamed(const QString& name)
{
    return *ggufExportTypeNamed(name.toLower().toStdString());
}

// What a model loaded for WeightUse::Export still holds of its file once exported: the export gives
// each tensor's pages back after writing it, so at most the partial page at the file's end is left,
// where holding the pages would keep the whole file; -1 if the weight read lies in no mapping of it.
int64_t residentAfterExport(const Transformer& model, const std::string& source)
{
    const std::string file = source.ends_with(".gguf") ? source : source + "/model.safetensors";
    const void* weight = model.namedParameters().at("model.norm.weight").const_data_ptr();
    if (!model.quantizedWeights().empty()) {
        const LinearWeight& w = model.quantizedWeights().begin()->second;
        weight = w.isQuantized() ? static_cast<const void*>(w.quantized().data) : w.dense().const_data_ptr();
    }
    return thinkbench::tests::residentInFileMapping(reinterpret_cast<uintptr_t>(weight), file);
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
        for (const char* type : {"F32", "F16", "BF16", "Q8_0", "Q4_K_M"}) {
            QTest::addRow("qwen2 %s", type) << "qwen2"
                                            << "qwen3" << type;
            QTest::addRow("llama %s", type) << "llama"
                                            << "deepseek_v3" << type; // llama3 rope, permuted Q/K
            // MLA and MoE: experts stacked, kv_b_proj split, yarn with DeepSeek's mscale.
            QTest::addRow("deepseek_v3 %s", type) << "deepseek_v3"
                                                  << "deepseek_v3" << type;
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
        if (type.startsWith("Q")) {
            const QString f32 = dir_.filePath(model + "_q8_reference.gguf");
            exportGguf(original, nullptr, f32.toStdString(), GgufExportType::F32);
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
        if (type.startsWith("Q"))
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

        // The type as llama.cpp and LM Studio spell it.
        const QString upper = dir_.filePath("seed_upper.gguf");
        cli.start(THINKBENCH_CLI, {"export-gguf", "--model", source, "--output", upper, "--type", "Q8_0"});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        QCOMPARE(GgufFile(upper.toStdString()).integer("general.file_type"), int64_t(7)); // llama.cpp's MOSTLY_Q8_0

        cli.start(THINKBENCH_CLI, {"export-gguf", "--model", source, "--output", out, "--type", "q4_k"});
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 1);
        QVERIFY(cli.readAllStandardError().contains("--type: \"q4_k\" is not f32, f16, bf16, q8_0 or q4_k_m"));
    }

    // An embedding with more rows than the tokenizer has ids (Qwen's 151,936 for 151,669 tokens)
    // gets unused "[PADn]" tokens up to its rows, as the converter writes them: llama.cpp refuses
    // a shorter token list. The tokenizer read back encodes as before.
    void tokenListPaddedToRows()
    {
        const Tokenizer tokens = ggufTokenizer(GgufFile(THINKBENCH_SOURCE_DIR "/fuzz/corpus/gguf/qwen2_model"));
        QCOMPARE(tokens.vocabSize(), 260);
        const ModelConfig config = ModelConfig::fromJson({{"model_type", "qwen2"},
                                                          {"hidden_size", 32},
                                                          {"intermediate_size", 64},
                                                          {"num_hidden_layers", 1},
                                                          {"num_attention_heads", 2},
                                                          {"num_key_value_heads", 1},
                                                          {"vocab_size", 320}},
                                                         "padded");
        const std::string out = dir_.filePath("padded.gguf").toStdString();
        exportGguf(Transformer(config, at::kFloat, at::kCPU), &tokens, out, GgufExportType::F32);
        const GgufFile file(out);
        const auto& list = file.array("tokenizer.ggml.tokens", GgufValueType::String);
        QCOMPARE(list.size(), size_t(320));
        QCOMPARE(std::string(list.string(319)), std::string("[PAD319]"));
        QCOMPARE(file.array("tokenizer.ggml.token_type", GgufValueType::Int32).integer(300), int64_t(5)); // unused
        QCOMPARE(ggufTokenizer(file).encode("abc ab <think>", true), tokens.encode("abc ab <think>", true));
    }

    // Loaded for inference (weights as stored: an f32 folder's in place, a bf16 folder's bf16, GGUF
    // blocks, each read into f32 only when written) a model exports to the bytes it exports to
    // loaded for training; progress is told after each tensor, up to the size of the tensor data.
    void inferenceLoadExportsTheSameFile()
    {
        const std::string bf16Folder = dir_.filePath("qwen2_bf16").toStdString();
        Transformer::load(kPeers + "qwen2", at::kBFloat16, at::kCPU).save(bf16Folder);
        const std::string q8File = dir_.filePath("qwen2_q8_0.gguf").toStdString();
        exportGguf(Transformer::load(kPeers + "qwen2", at::kFloat, at::kCPU), nullptr, q8File, GgufExportType::Q8_0);
        const std::pair<std::string, GgufExportType> cases[] = {
            {kPeers + "qwen2", GgufExportType::Q4_K_M}, {kPeers + "deepseek_v3", GgufExportType::Q8_0},
            {kPeers + "llama", GgufExportType::F16},    {bf16Folder, GgufExportType::F32},
            {bf16Folder, GgufExportType::Q4_K_M},       {q8File, GgufExportType::F16}};
        for (const auto& [source, type] : cases) {
            const std::string trained = dir_.filePath("trained.gguf").toStdString();
            exportGguf(Transformer::load(source, at::kFloat, at::kCPU), nullptr, trained, type);
            for (const WeightUse use : {WeightUse::Inference, WeightUse::Export}) {
                const std::string inferred = dir_.filePath("inferred.gguf").toStdString();
                const std::string what = source + (use == WeightUse::Export ? " for export" : " for inference");
                const Transformer model = Transformer::load(source, at::kFloat, at::kCPU, use);
                if (source == bf16Folder || source == q8File)
                    QVERIFY2(!model.quantizedWeights().empty(), what.c_str());
                std::vector<std::pair<int64_t, std::string>> told;
                int64_t all = 0;
                exportGguf(model, nullptr, inferred, type,
                           [&](int64_t written, int64_t total, const std::string& tensor) {
                               told.emplace_back(written, tensor);
                               all = total;
                           });
                QVERIFY2(readAll(QString::fromStdString(trained)) == readAll(QString::fromStdString(inferred)),
                         what.c_str());
                if (use == WeightUse::Export) {
                    const int64_t resident = residentAfterExport(model, source);
                    QVERIFY2(resident >= 0 && resident <= 4096, (what + ": " + std::to_string(resident)).c_str());
                }

                const GgufFile file(inferred);
                QCOMPARE(told.size(), file.tensors().size());
                int64_t sum = 0;
                for (size_t i = 0; i < told.size(); ++i) {
                    const GgufTensorInfo& t = file.tensors()[i];
                    sum += static_cast<int64_t>(t.bytes);
                    QCOMPARE(told[i].second, t.name);
                    QCOMPARE(told[i].first, sum);
                }
                QCOMPARE(all, sum);
            }
        }
    }

    // What llama.cpp's keys cannot state, and weights that cannot be quantized, are errors naming
    // the file and the place.
    void refusals()
    {
        const std::string out = dir_.filePath("refused.gguf").toStdString();
        auto message = [&](const Transformer& model, GgufExportType type) -> std::string {
            try {
                exportGguf(model, nullptr, out, type);
            } catch (const Error& e) {
                return e.what();
            }
            return "no error";
        };
        ModelConfig config = ModelConfig::fromFile(kPeers + "deepseek_v3/config.json");
        config.rope_interleave = false;
        QCOMPARE(message(Transformer(config, at::kFloat, at::kCPU), GgufExportType::F32),
                 out + ": rope_interleave: false has no GGUF key: llama.cpp rotates DeepSeek's rope pairwise");
        config.rope_interleave = true;
        config.rope_parameters["mscale"] = 0.5;
        QCOMPARE(message(Transformer(config, at::kFloat, at::kCPU), GgufExportType::F32),
                 out + ": rope_parameters.mscale: differs from mscale_all_dim; GGUF holds one (yarn_log_multiplier)");
        Transformer broken = Transformer::load(kPeers + "qwen2", at::kFloat, at::kCPU);
        broken.namedParameters().at("model.layers.1.mlp.up_proj.weight")[3][5] = NAN;
        QCOMPARE(message(broken, GgufExportType::Q4_K_M),
                 out + ": tensor blk.1.ffn_up.weight: element 197: is not finite; cannot quantize it");
        QVERIFY(!QFile::exists(QString::fromStdString(out)));

        // Bytes that are not as many as a tensor's type and shape take: refused when added, and when an
        // encoder makes them, with what was at the path before left as it was.
        auto writerMessage = [&](const std::function<void(GgufWriter&)>& build) -> std::string {
            try {
                GgufWriter writer;
                build(writer);
                writer.write(out);
            } catch (const Error& e) {
                return e.what();
            }
            return "no error";
        };
        QCOMPARE(writerMessage([](GgufWriter& w) { w.addTensor("t", GgmlType::F32, {2}, std::string(3, 'x')); }),
                 std::string("tensor t: 3 bytes where its type and shape take 8"));
        QCOMPARE(writerMessage([](GgufWriter& w) {
                     w.addTensor("t", GgmlType::Q8_0, {2, 48}, std::string());
                 }),
                 std::string("tensor t: rows of 48 are not whole Q8_0 blocks of 32"));
        {
            std::ofstream before(out);
            before << "kept";
        }
        QCOMPARE(writerMessage([](GgufWriter& w) {
                     w.addTensor("t", GgmlType::F32, {2}, GgufWriter::Encode([](std::ostream& o) { o << "xxx"; }));
                 }),
                 out + ": tensor t: encoded to 3 bytes where its type and shape take 8");
        QCOMPARE(readAll(QString::fromStdString(out)), QByteArray("kept"));
    }

    // The Q4_K_M mix on a model whose rows are whole K-quant blocks: eight layers of width 256
    // (ffn_down's 640 are not, so its Q6_K and Q4_K fall back to Q8_0 and Q5_0). The types are as
    // documented, the gguf package decodes our blocks as we do, and each type's error against the
    // weights is measured.
    void q4KmMix()
    {
        const ModelConfig config = ModelConfig::fromJson({{"model_type", "qwen2"},
                                                          {"hidden_size", 256},
                                                          {"intermediate_size", 640},
                                                          {"num_hidden_layers", 8},
                                                          {"num_attention_heads", 4},
                                                          {"num_key_value_heads", 2},
                                                          {"vocab_size", 512}},
                                                         "q4_k_m");
        torch::manual_seed(18);
        const Transformer original(config, at::kFloat, at::kCPU);
        const QString out = dir_.filePath("mix.gguf");
        exportGguf(original, nullptr, out.toStdString(), GgufExportType::Q4_K_M);
        const nlohmann::json peer = runPythonPeer("gguf_files.py", {"dump", out, out + ".safetensors"}).at(0);
        const SafetensorsFile dequantized((out + ".safetensors").toStdString());
        const GgufFile file(out.toStdString());
        QCOMPARE(file.integer("general.file_type"), int64_t(15));
        auto expected = [](const std::string& name) {
            const bool moreBits = name.starts_with("blk.0.") || name.starts_with("blk.3.") ||
                                  name.starts_with("blk.6.") || name.starts_with("blk.7.");
            if (name.find("norm") != std::string::npos || name.ends_with(".bias"))
                return "F32";
            if (name == "output.weight" || (moreBits && name.find("attn_v.") != std::string::npos))
                return "Q6_K";
            if (name.find("ffn_down") != std::string::npos)
                return moreBits ? "Q8_0" : "Q5_0";
            return "Q4_K";
        };
        std::map<std::string, std::pair<double, double>> squares; // type -> (error, weight)
        const auto names = ggufTensorNames(config);
        for (const auto& [hfName, weight] : original.namedParameters()) {
            const std::string& name = names.at(hfName).name;
            const std::string type = peer["tensors"][name]["type"].get<std::string>();
            QVERIFY2(type == expected(name), (name + " is " + type).c_str());
            const at::Tensor ours = file.tensor(name).to(at::kFloat).contiguous();
            const at::Tensor theirs = dequantized.tensor(name);
            QVERIFY2(std::memcmp(ours.data_ptr(), theirs.data_ptr(), ours.numel() * sizeof(float)) == 0, name.c_str());
            squares[type].first += (ours - weight).pow(2).sum().item<double>();
            squares[type].second += weight.pow(2).sum().item<double>();
        }
        // Normal weights (measured: Q4_K 7.1%, Q5_0 4.0%, Q6_K 1.7%, Q8_0 0.54%); tests/core/
        // tst_gguf_quantize measures the quantizers alone.
        const std::map<std::string, double> bounds = {
            {"F32", 0}, {"Q4_K", 0.075}, {"Q5_0", 0.043}, {"Q6_K", 0.018}, {"Q8_0", 0.006}};
        for (const auto& [type, sums] : squares) {
            const double error = std::sqrt(sums.first / sums.second);
            qInfo("%s: relative RMS error %.4f", type.c_str(), error);
            QVERIFY2(error <= bounds.at(type), type.c_str());
        }
        QCOMPARE(squares.size(), bounds.size());
    }
};

QTEST_GUILESS_MAIN(TestGgufExport)
#include "tst_gguf_export.moc"
