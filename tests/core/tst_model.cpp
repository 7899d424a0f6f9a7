// The Transformer against Hugging Face transformers' own outputs (tests/data/peers/hf, and random
// checkpoints the venv's transformers makes at test time), the KV cache against full forwards,
// padding, save/load round trips and bad checkpoints.

#include "core/error.h"
#include "core/model/decode_attention.h"
#include "core/model/layers.h"
#include "core/model/rope.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include "tests/python_peer.h"

#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace thinkbench::core;
namespace fs = std::filesystem;

namespace {

const std::string kPeers = THINKBENCH_PEERS_DIR "/hf/";

double relError(const at::Tensor& ours, const at::Tensor& reference)
{
    return (ours.to(at::kFloat) - reference).abs().max().item<double>() / reference.abs().max().item<double>();
}

at::Tensor greedy(const Transformer& model, const at::Tensor& prompt, int newTokens)
{
    torch::NoGradGuard noGrad;
    KvCache cache =
        KvCache::create(model.config(), prompt.size(0), prompt.size(1) + newTokens, model.dtype(), model.device());
    at::Tensor ids = prompt;
    at::Tensor next = prompt;
    for (int i = 0; i < newTokens; ++i) {
        const auto out = model.forward(next, {.cache = &cache, .lastTokenOnly = true});
        next = out.logits.argmax(-1);
        ids = at::cat({ids, next}, 1);
    }
    return ids;
}

// A random valid config of an architecture, for checks that must hold beyond the fixtures.
ModelConfig randomConfig(const std::string& type, int seed)
{
    std::mt19937 rng(seed);
    auto pick = [&](std::vector<int> v) { return v[rng() % v.size()]; };
    nlohmann::json j = {{"model_type", type},
                        {"vocab_size", pick({50, 97})},
                        {"hidden_size", 32},
                        {"intermediate_size", pick({40, 64})},
                        {"num_hidden_layers", 2},
                        {"num_attention_heads", 4},
                        {"num_key_value_heads", pick({1, 2, 4})},
                        {"rms_norm_eps", 1e-6},
                        {"tie_word_embeddings", rng() % 2 == 0},
                        {"max_position_embeddings", 64}};
    if (type == "llama")
        j["rope_parameters"] = {{"rope_type", "llama3"},
                                {"factor", 4.0},
                                {"low_freq_factor", 1.0},
                                {"high_freq_factor", 4.0},
                                {"original_max_position_embeddings", 16},
                                {"rope_theta", 5e5}};
    if (type == "deepseek_v3") {
        j["num_key_value_heads"] = 4;
        j.update({{"q_lora_rank", pick({0, 16})},
                  {"kv_lora_rank", 12},
                  {"qk_nope_head_dim", 8},
                  {"qk_rope_head_dim", 4},
                  {"v_head_dim", pick({8, 12})},
                  {"moe_intermediate_size", 16},
                  {"n_routed_experts", 8},
                  {"num_experts_per_tok", pick({1, 2, 3})},
                  {"n_shared_experts", pick({0, 1})},
                  {"n_group", pick({1, 2, 4})},
                  {"topk_group", 1},
                  {"first_k_dense_replace", pick({0, 1})},
                  {"routed_scaling_factor", 2.0},
                  {"rope_parameters",
                   {{"rope_type", "yarn"},
                    {"factor", 2.0},
                    {"mscale", 1.0},
                    {"mscale_all_dim", 1.0},
                    {"beta_fast", 32.0},
                    {"beta_slow", 1.0},
                    {"original_max_position_embeddings", 32},
                    {"rope_theta", 10000.0}}}});
    }
    return ModelConfig::fromJson(j, "random");
}

// The pinned transformers makes its random checkpoints into `dir`: one manifest row each.
std::vector<nlohmann::json> makeRandomPeers(const QString& dir)
{
    return runPythonPeer("hf_random_models.py", {dir});
}

void expectError(const std::function<void()>& f, const std::string& fragment)
{
    try {
        f();
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
        return;
    }
    QFAIL(("no error containing: " + fragment).c_str());
}

} // namespace

class TestModel : public QObject {
    Q_OBJECT

    struct ParityRow {
        QString config;
        double f32, bf16, hfBf16;
    };
    std::vector<ParityRow> parityTable_;
    QTemporaryDir randomPeers_;

private slots:
    void initTestCase()
    {
        at::set_num_threads(2);
        torch::manual_seed(7);
    }

    // Every config's errors, as bench/results/peers.md shows them.
    void cleanupTestCase()
    {
        QString table = "\n| config | f32 error | our bf16 error | HF bf16 error |\n|---|---|---|---|\n";
        for (const ParityRow& r : parityTable_)
            table += QString("| %1 | %2 | %3 | %4 |\n")
                         .arg(r.config)
                         .arg(r.f32, 0, 'e', 2)
                         .arg(r.bf16, 0, 'e', 2)
                         .arg(r.hfBf16, 0, 'e', 2);
        qInfo().noquote() << table;
    }

    void parity_data()
    {
        QTest::addColumn<QString>("arch");
        for (const char* arch : {"qwen2", "qwen2_tied", "llama", "deepseek_v3"})
            QTest::newRow(arch) << arch;
    }

    // f32 logits within 1e-4 of HF, the same greedy continuation, and bf16 within twice HF's own
    // bf16 error.
    void parity()
    {
        QFETCH(QString, arch);
        torch::NoGradGuard noGrad;
        const std::string dir = kPeers + arch.toStdString();
        SafetensorsFile reference(dir + "/reference.safetensors");
        const at::Tensor ids = reference.tensor("input_ids");
        const at::Tensor logits = reference.tensor("logits");

        const Transformer model = Transformer::load(dir, at::kFloat, at::kCPU);
        const double f32 = relError(model.forward(ids).logits, logits);
        QVERIFY2(f32 <= 1e-4, qPrintable(QString("f32 relative error %1").arg(f32)));

        const at::Tensor continuation = greedy(model, reference.tensor("greedy_prompt"), 12);
        QVERIFY(at::equal(continuation, reference.tensor("greedy_output")));

        const Transformer bf16 = Transformer::load(dir, at::kBFloat16, at::kCPU);
        const double ours = relError(bf16.forward(ids).logits, logits);
        const double hf = relError(SafetensorsFile(dir + "/reference_bf16.safetensors").tensor("logits_bf16"), logits);
        parityTable_.push_back({"fixture " + arch, f32, ours, hf});
        QVERIFY2(ours <= 2 * hf, qPrintable(QString("bf16 error %1, HF's %2").arg(ours).arg(hf)));
    }

    void randomParity_data()
    {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("skip"); // why HF is no peer for this config, or empty
        QVERIFY(randomPeers_.isValid());
        for (const auto& row : makeRandomPeers(randomPeers_.path()))
            QTest::newRow(row["name"].get<std::string>().c_str())
                << QString::fromStdString(row["dir"].get<std::string>())
                << QString::fromStdString(row["peer"].get<bool>() ? "" : row["why"].get<std::string>());
    }

    // Random configurations of every architecture, made by the pinned transformers from fixed
    // seeds: f32 logits within 1e-4 of HF's, bf16 within twice HF's own bf16 error.
    void randomParity()
    {
        QFETCH(QString, dir);
        QFETCH(QString, skip);
        if (!skip.isEmpty())
            QSKIP(qPrintable(skip));
        torch::NoGradGuard noGrad;
        SafetensorsFile reference((dir + "/reference.safetensors").toStdString());
        const at::Tensor ids = reference.tensor("input_ids");
        const at::Tensor logits = reference.tensor("logits");
        const double f32 =
            relError(Transformer::load(dir.toStdString(), at::kFloat, at::kCPU).forward(ids).logits, logits);
        const double ours =
            relError(Transformer::load(dir.toStdString(), at::kBFloat16, at::kCPU).forward(ids).logits, logits);
        const double hf = relError(reference.tensor("logits_bf16"), logits);
        parityTable_.push_back({QTest::currentDataTag(), f32, ours, hf});
        QVERIFY2(f32 <= 1e-4, qPrintable(QString("f32 relative error %1").arg(f32)));
        QVERIFY2(ours <= 2 * hf, qPrintable(QString("bf16 error %1, HF's %2").arg(ours).arg(hf)));
    }

    void cacheEqualsFullForward_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("seed");
        for (const char* arch : {"qwen2", "qwen2_tied", "llama", "deepseek_v3"})
            QTest::newRow(arch) << arch << -1;
        for (int seed = 0; seed < 4; ++seed)
            for (const char* arch : {"qwen2", "llama", "deepseek_v3"})
                QTest::newRow(qPrintable(QString("random %1 %2").arg(arch).arg(seed))) << arch << seed;
    }

    // Prefill then one token at a time through the cache gives the logits of one full forward;
    // a left-padded batch gives each row's logits alone.
    void cacheEqualsFullForward()
    {
        QFETCH(QString, arch);
        QFETCH(int, seed);
        torch::NoGradGuard noGrad;
        torch::manual_seed(seed + 100);
        const Transformer model = seed < 0 ? Transformer::load(kPeers + arch.toStdString(), at::kFloat, at::kCPU)
                                           : Transformer(randomConfig(arch.toStdString(), seed), at::kFloat, at::kCPU);
        if (seed >= 0) // random weights at a scale that makes routing and attention non-trivial
            for (auto& [name, t] : const_cast<Transformer&>(model).namedParameters())
                if (name.find("norm") == std::string::npos)
                    t.normal_(0, 0.2);
        const int64_t V = model.config().vocab_size;
        const at::Tensor ids = at::randint(V, {2, 11});
        const at::Tensor full = model.forward(ids).logits;

        KvCache cache = KvCache::create(model.config(), 2, 16, at::kFloat, at::kCPU);
        std::vector<at::Tensor> steps{model.forward(ids.narrow(1, 0, 4), {.cache = &cache}).logits};
        steps.push_back(model.forward(ids.narrow(1, 4, 3), {.cache = &cache}).logits); // a chunk
        for (int64_t t = 7; t < 11; ++t)
            steps.push_back(model.forward(ids.narrow(1, t, 1), {.cache = &cache}).logits);
        QVERIFY(at::allclose(at::cat(steps, 1), full, 1e-4, 1e-4));

        // Row 1 is 7 tokens long, left-padded to 11.
        at::Tensor mask = at::ones({2, 11}, at::kLong);
        mask.index_put_({1, at::indexing::Slice(0, 4)}, 0);
        const at::Tensor padded = model.forward(ids, {.attentionMask = mask}).logits;
        const at::Tensor alone = model.forward(ids.narrow(0, 1, 1).narrow(1, 4, 7)).logits;
        QVERIFY(at::allclose(padded.narrow(0, 1, 1).narrow(1, 4, 7), alone, 1e-4, 1e-4));
        QVERIFY(at::allclose(padded.narrow(0, 0, 1), full.narrow(0, 0, 1), 1e-4, 1e-4));

        // n samples per prompt share one prefill: repeat rows, then decode.
        KvCache shared = KvCache::create(model.config(), 1, 16, at::kFloat, at::kCPU);
        model.forward(ids.narrow(0, 0, 1).narrow(1, 0, 10), {.cache = &shared});
        shared.selectRows(at::tensor({0, 0, 0}));
        const at::Tensor next =
            model.forward(ids.narrow(0, 0, 1).narrow(1, 10, 1).expand({3, 1}).contiguous(), {.cache = &shared}).logits;
        for (int r = 0; r < 3; ++r)
            QVERIFY(at::allclose(next[r], full[0].narrow(0, 10, 1), 1e-4, 1e-4));
    }

    void oneQueryAttentionEqualsTorchs_data()
    {
        QTest::addColumn<bool>("bf16");
        QTest::newRow("f32") << false;
        QTest::newRow("bf16") << true;
    }

    // A decode step's attention (one query row, 14 query heads on 2 kv heads, the cache a view of a
    // longer buffer, the second row left-padded) against torch's math kernel on the same inputs;
    // each row equals that row attended alone, bit for bit.
    void oneQueryAttentionEqualsTorchs()
    {
        QFETCH(bool, bf16);
        torch::NoGradGuard noGrad;
        torch::manual_seed(7);
        const auto type = bf16 ? at::kBFloat16 : at::kFloat;
        const int64_t B = 2, heads = 14, kvHeads = 2, S = 37, d = 64;
        const at::Tensor q = at::randn({B, 1, heads, d}).to(type).transpose(1, 2); // as attendGqa makes it
        const at::Tensor k = (3 * at::randn({B, kvHeads, 48, d})).to(type).narrow(2, 0, S);
        const at::Tensor v = at::randn({B, kvHeads, 48, d}).to(type).narrow(2, 0, S);
        at::Tensor mask = at::zeros({B, 1, 1, S});
        mask.narrow(0, 1, 1).narrow(3, 0, 5).fill_(-1e30);
        mask = mask.to(type);
        QVERIFY(attendsOneQuery(q, k, v, mask));
        const double scale = 1.0 / 8;
        const at::Tensor ours = attendOneQuery(q, k, v, mask, scale);
        QCOMPARE(ours.scalar_type(), type);
        QCOMPARE(ours.sizes(), at::IntArrayRef({B, heads, 1, d}));

        const at::Tensor reference = std::get<0>(
            at::_scaled_dot_product_attention_math(q.to(at::kDouble), k.to(at::kDouble), v.to(at::kDouble),
                                                   mask.to(at::kDouble), 0.0, false, c10::nullopt, scale, true));
        const double error = (ours.to(at::kDouble) - reference).abs().max().item<double>();
        // f32 sums of 37 terms; bf16 rounds the output once (2^-8 of values below 4).
        QVERIFY2(error < (bf16 ? 2e-2 : 1e-5), qPrintable(QString("max error %1").arg(error)));

        const at::Tensor alone =
            attendOneQuery(q.narrow(0, 1, 1), k.narrow(0, 1, 1).narrow(2, 5, S - 5),
                           v.narrow(0, 1, 1).narrow(2, 5, S - 5), mask.narrow(0, 1, 1).narrow(3, 5, S - 5), scale);
        QVERIFY(at::equal(ours.narrow(0, 1, 1), alone));

        // What it does not take goes to torch's kernel: several query rows, f16, a gradient.
        QVERIFY(!attendsOneQuery(at::cat({q, q}, 2), k, v, mask));
        QVERIFY(!attendsOneQuery(q.to(at::kHalf), k.to(at::kHalf), v.to(at::kHalf), mask));
        torch::AutoGradMode grad(true);
        QVERIFY(!attendsOneQuery(q.clone().requires_grad_(), k, v, mask));
    }

    void newTokensAttentionEqualsTheOps_data()
    {
        QTest::addColumn<bool>("bf16");
        QTest::newRow("f32") << false;
        QTest::newRow("bf16") << true;
    }

    // A decode step's attention in one call (rope on q and k, the cache written, the attention)
    // against the tensor ops it stands in for: the same output and the same cache, bit for bit.
    void newTokensAttentionEqualsTheOps()
    {
        QFETCH(bool, bf16);
        torch::NoGradGuard noGrad;
        torch::manual_seed(5);
        const auto type = bf16 ? at::kBFloat16 : at::kFloat;
        const int64_t B = 2, heads = 14, kvHeads = 2, d = 64, capacity = 48, past = 36, S = past + 1;
        const at::Tensor q = at::randn({B, 1, heads * d}).to(type), k = (3 * at::randn({B, 1, kvHeads * d})).to(type),
                         v = at::randn({B, 1, kvHeads * d}).to(type);
        const at::Tensor angles = at::rand({B, 1, 1, d / 2}) * 6;
        const at::Tensor cos = at::cat({angles, angles}, -1).cos().to(type),
                         sin = at::cat({angles, angles}, -1).sin().to(type);
        at::Tensor keys = (3 * at::randn({B, kvHeads, capacity, d})).to(type),
                   values = at::randn({B, kvHeads, capacity, d}).to(type);
        at::Tensor keysByOps = keys.clone(), valuesByOps = values.clone();
        at::Tensor mask = at::zeros({B, 1, 1, S});
        mask.narrow(0, 1, 1).narrow(3, 0, 5).fill_(-1e30); // the second row left-padded
        mask = mask.to(type);
        const double scale = 1.0 / 8;

        QVERIFY(attendsNewTokens(q, k, v, cos, sin, keys, values, past, mask));
        const at::Tensor ours = attendNewTokens(q, k, v, cos, sin, keys, values, past, mask, scale);

        const at::Tensor qRot = applyRope(q.view({B, 1, heads, d}).transpose(1, 2), cos, sin, false);
        keysByOps.narrow(2, past, 1).copy_(applyRope(k.view({B, 1, kvHeads, d}).transpose(1, 2), cos, sin, false));
        valuesByOps.narrow(2, past, 1).copy_(v.view({B, 1, kvHeads, d}).transpose(1, 2));
        const at::Tensor byOps =
            attendOneQuery(qRot, keysByOps.narrow(2, 0, S), valuesByOps.narrow(2, 0, S), mask, scale);
        QCOMPARE(ours.sizes(), at::IntArrayRef({B, 1, heads * d}));
        QVERIFY(at::equal(ours, byOps.transpose(1, 2).reshape({B, 1, heads * d})));
        QVERIFY(at::equal(keys, keysByOps));
        QVERIFY(at::equal(values, valuesByOps));

        // What it does not take goes to the ops: no room left in the cache, a mask of another
        // length, f16, a gradient.
        QVERIFY(!attendsNewTokens(q, k, v, cos, sin, keys, values, capacity, mask));
        QVERIFY(!attendsNewTokens(q, k, v, cos, sin, keys, values, past - 1, mask));
        const auto half = [](const at::Tensor& t) { return t.to(at::kHalf); };
        QVERIFY(!attendsNewTokens(half(q), half(k), half(v), half(cos), half(sin), half(keys), half(values), past,
                                  half(mask)));
        torch::AutoGradMode grad(true);
        QVERIFY(!attendsNewTokens(q.clone().requires_grad_(), k, v, cos, sin, keys, values, past, mask));
    }

    void rowLoopsEqualTensorOps_data()
    {
        QTest::addColumn<bool>("bf16");
        QTest::newRow("f32") << false;
        QTest::newRow("bf16") << true;
    }

    // Without autograd on the CPU, rmsNorm and rope run as one loop over rows (a decode step's
    // tensor ops cost more in dispatch than in arithmetic). They must give what the tensor ops give,
    // which run where a gradient is wanted: rope bit for bit, rmsNorm within its sum's order (one
    // rounding of the output at most).
    void rowLoopsEqualTensorOps()
    {
        QFETCH(bool, bf16);
        const auto type = bf16 ? at::kBFloat16 : at::kFloat;
        torch::manual_seed(11);
        const at::Tensor x = (4 * at::randn({3, 5, 896})).to(type);
        const at::Tensor weight = at::rand({896}).to(type);
        const at::Tensor q = at::randn({3, 5, 14, 64}).to(type).transpose(1, 2); // [B, heads, T, d] as attendGqa's
        const at::Tensor angles = at::rand({3, 1, 5, 32}) * 6;
        const at::Tensor cos = at::cat({angles, angles}, -1).cos().to(type),
                         sin = at::cat({angles, angles}, -1).sin().to(type);

        at::Tensor normed, rotated;
        {
            torch::NoGradGuard noGrad;
            normed = rmsNorm(x, weight, 1e-6);
            rotated = applyRope(q, cos, sin, false);
        }
        const at::Tensor trainable = weight.clone().requires_grad_();
        const at::Tensor normedByOps = rmsNorm(x, trainable, 1e-6).detach();
        const at::Tensor qTrainable = q.clone().requires_grad_();
        const at::Tensor rotatedByOps = applyRope(qTrainable, cos, sin, false).detach();

        QCOMPARE(normed.scalar_type(), type);
        QCOMPARE(normed.sizes(), x.sizes());
        const double tolerance = bf16 ? 1.0 / 128 : 1e-6; // one rounding of the output, relative
        const double error = ((normed.to(at::kFloat) - normedByOps.to(at::kFloat)).abs() /
                              normedByOps.to(at::kFloat).abs().clamp_min(1e-3))
                                 .max()
                                 .item<double>();
        QVERIFY2(error <= tolerance, qPrintable(QString("rmsNorm relative error %1").arg(error)));
        QCOMPARE(rotated.sizes(), q.sizes());
        QVERIFY(at::equal(rotated, rotatedByOps));
    }

    void expertLoadIsReported()
    {
        torch::NoGradGuard noGrad;
        const Transformer model = Transformer::load(kPeers + "deepseek_v3", at::kFloat, at::kCPU);
        const auto out = model.forward(at::randint(1000, {2, 17}));
        QCOMPARE(out.expertLoad.size(0), int64_t(2)); // layers 1 and 2 are MoE
        QCOMPARE(out.expertLoad.size(1), int64_t(8));
        // Every token goes to num_experts_per_tok experts.
        QCOMPARE(out.expertLoad.sum(1)[0].item<double>(), 2.0 * 17 * 2);
        QCOMPARE(model.selectionBiases().size(), size_t(2));
    }

    void saveLoadRoundTrip()
    {
        torch::NoGradGuard noGrad;
        QTemporaryDir tmp;
        for (const char* arch : {"qwen2_tied", "deepseek_v3"}) {
            const Transformer model = Transformer::load(kPeers + arch, at::kFloat, at::kCPU);
            const std::string dir = tmp.filePath(arch).toStdString();
            model.save(dir);
            const Transformer again = Transformer::load(dir, at::kFloat, at::kCPU);
            for (const auto& [name, t] : model.namedParameters())
                QVERIFY2(at::equal(t, again.namedParameters().at(name)), name.c_str());
            // The same tensor names and shapes as the Hugging Face checkpoint.
            const CheckpointReader original(kPeers + arch), saved(dir);
            QCOMPARE(saved.names(), original.names());
            std::ifstream config(dir + "/config.json");
            const auto json = nlohmann::json::parse(config);
            QVERIFY(json["architectures"].is_array());
            QCOMPARE(ModelConfig::fromJson(json, "x").toJson(), model.config().toJson());
        }
    }

    void badCheckpointsNameTheProblem()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("m").toStdString();
        fs::create_directories(dir);
        fs::copy_file(kPeers + "qwen2/config.json", dir + "/config.json");
        fs::copy_file(kPeers + "qwen2/model.safetensors", dir + "/model.safetensors");

        // Truncated data: the header's offsets run past the end of the file.
        fs::resize_file(dir + "/model.safetensors", fs::file_size(dir + "/model.safetensors") - 100);
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); }, "data_offsets outside");
        // A header length beyond the file.
        {
            std::ofstream out(dir + "/model.safetensors", std::ios::binary);
            const uint64_t huge = 1 << 30;
            out.write(reinterpret_cast<const char*>(&huge), 8);
            out << "{}";
        }
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); }, "runs past the end");

        // Missing and mis-shaped tensors.
        const Transformer model = Transformer::load(kPeers + "qwen2", at::kFloat, at::kCPU);
        auto tensors = model.namedParameters();
        tensors.erase("model.norm.weight");
        writeSafetensors(dir + "/model.safetensors", tensors);
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); },
                    "tensor model.norm.weight: missing from the checkpoint (the config implies shape [64])");
        tensors["model.norm.weight"] = at::ones({32});
        writeSafetensors(dir + "/model.safetensors", tensors);
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); },
                    "tensor model.norm.weight: has shape [32], the config implies [64]");
        tensors["model.norm.weight"] = at::ones({64});
        tensors["model.extra.weight"] = at::ones({2});
        writeSafetensors(dir + "/model.safetensors", tensors);
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); }, "tensor model.extra.weight: unexpected");

        // A bad config key names the file and the key.
        std::ofstream(dir + "/config.json") << R"({"model_type": "qwen2", "vocab_size": "big"})";
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); }, "config.json: vocab_size");
        std::ofstream(dir + "/config.json") << R"({"model_type": "gpt2"})";
        expectError([&] { Transformer::load(dir, at::kFloat, at::kCPU); }, "model_type: unsupported");
        expectError([&] { Transformer::load(tmp.filePath("none").toStdString(), at::kFloat, at::kCPU); },
                    "none: no such file or folder");
        QVERIFY(QDir().mkpath(tmp.filePath("empty")));
        expectError([&] { Transformer::load(tmp.filePath("empty").toStdString(), at::kFloat, at::kCPU); },
                    "empty: not a model folder: config.json is missing");
    }

    void forwardCli()
    {
        QTemporaryDir tmp;
        const QString out = tmp.filePath("logits.safetensors");
        QProcess cli;
        cli.start(THINKBENCH_CLI, {"forward", "--model", QString::fromStdString(kPeers + "llama"), "--input",
                                   QString::fromStdString(kPeers + "llama/reference.safetensors"), "--output", out});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const at::Tensor logits = SafetensorsFile(out.toStdString()).tensor("logits");
        const at::Tensor reference = SafetensorsFile(kPeers + "llama/reference.safetensors").tensor("logits");
        QVERIFY(relError(logits, reference) <= 1e-4);

        QProcess bad;
        bad.start(THINKBENCH_CLI, {"forward", "--model", QString::fromStdString(kPeers + "llama"), "--input",
                                   QString::fromStdString(kPeers + "llama/reference.safetensors"), "--tensor", "nope",
                                   "--output", out});
        QVERIFY(bad.waitForFinished(120000));
        QCOMPARE(bad.exitCode(), 1);
        QVERIFY(bad.readAllStandardError().contains("nope"));
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "tst_model.moc"
