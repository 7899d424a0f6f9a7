// The tokenizer against Hugging Face's own tokenizers (PyPI, run at test time) on a 3,200-text corpus,
// plus added-token flags, streaming decode, bad input, chat templates and the BPE trainer.

#include "core/error.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include "tests/python_peer.h"

#include <QtTest>

#include <fstream>

using namespace thinkbench::core;

namespace {

const QString kCorpus = THINKBENCH_SOURCE_DIR "/tests/data/tokenizer/corpus.jsonl";

std::string peerTokenizer(const char* name)
{
    return std::string(THINKBENCH_PEER_TOKENIZERS_DIR "/") + name + "/tokenizer.json";
}

// Hugging Face's own tokenizers encodes JSON lines of texts with each NAME=TOKENIZER_JSON given.
std::vector<nlohmann::json> runPeer(const QStringList& tokenizers, const QByteArray& input)
{
    return runPythonPeer("tokenizers_encode.py", tokenizers, input);
}

QString idsText(const std::vector<int32_t>& ids)
{
    QStringList parts;
    for (int32_t id : ids)
        parts << QString::number(id);
    return parts.join(',');
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private:
    std::vector<nlohmann::json> expected_;

private slots:
    void initTestCase()
    {
        expected_ = runPeer({"qwen3=" + QString::fromStdString(peerTokenizer("qwen3")),
                             "deepseek_v3=" + QString::fromStdString(peerTokenizer("deepseek_v3"))},
                            readAll(kCorpus));
        QCOMPARE(expected_.size(), size_t(3200));
    }

    void conformance_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("qwen3") << "qwen3";
        QTest::newRow("deepseek_v3") << "deepseek_v3";
    }

    // Our ids equal Hugging Face's on every text; decode(encode(x)) == NFC(x).
    void conformance()
    {
        QFETCH(QString, name);
        const Tokenizer tokenizer = Tokenizer::fromFile(peerTokenizer(qPrintable(name)));
        int mismatches = 0, roundTripFailures = 0;
        QString report;
        for (const auto& row : expected_) {
            const std::string text = row["text"].get<std::string>();
            // Qwen normalises to NFC; DeepSeek-V3's normalizer is empty, so it gives the text back
            // byte for byte (as Hugging Face does).
            const std::string original = name == "qwen3" ? nfc(text) : text;
            if (tokenizer.decode(tokenizer.encode(text, true)) != original && ++roundTripFailures <= 5)
                report += "\n  round trip: " + QString::fromStdString(nlohmann::json(text).dump());
            const auto want = row[name.toStdString()].get<std::vector<int32_t>>();
            const auto got = tokenizer.encode(text, true);
            if (got != want && ++mismatches <= 5)
                report += QString("\n  text %1\n  ours %2\n  peer %3")
                              .arg(QString::fromStdString(nlohmann::json(text).dump()), idsText(got), idsText(want));
        }
        QVERIFY2(mismatches == 0,
                 qPrintable(QString("%1 of %2 texts differ:").arg(mismatches).arg(expected_.size()) + report));
        QVERIFY2(roundTripFailures == 0, qPrintable(report));
    }

    // Oniguruma's \s (Hugging Face's Split patterns) is Unicode White_Space, which U+FEFF is not.
    void feffIsNotSpace()
    {
        const Tokenizer qwen = Tokenizer::fromFile(peerTokenizer("qwen3"));
        QCOMPARE(qwen.preTokenize("a \xEF\xBB\xBF"
                                  "b"),
                 (std::vector<std::string>{"a", " \xEF\xBB\xBF", "b"}));
        QCOMPARE(qwen.preTokenize("x\xEF\xBB\xBF  y"), (std::vector<std::string>{"x", "\xEF\xBB\xBF", " ", " y"}));
    }

    void specialTokensParsedOnlyWhenAsked()
    {
        const Tokenizer qwen = Tokenizer::fromFile(peerTokenizer("qwen3"));
        const int32_t imStart = *qwen.tokenToId("<|im_start|>");
        const int32_t think = *qwen.tokenToId("<think>");
        QVERIFY(qwen.isSpecial(imStart));
        QVERIFY(!qwen.isSpecial(think));
        QCOMPARE(qwen.encode("<|im_start|>", true), std::vector<int32_t>{imStart});
        const auto plain = qwen.encode("<|im_start|>", false);
        QVERIFY(plain.size() > 1); // tokenized as text
        QCOMPARE(qwen.decode(plain), std::string("<|im_start|>"));
        // <think> is an added token that is not special: always matched.
        QCOMPARE(qwen.encode("<think>", false), std::vector<int32_t>{think});
        QCOMPARE(qwen.decode({imStart, think}, true), std::string("<think>"));
    }

    void addedTokenFlags()
    {
        BpeTrainerOptions options;
        options.vocabSize = 300;
        nlohmann::json json = trainByteLevelBpe({"hello world hello there"}, options).toJson();
        const int base = json["model"]["vocab"].size();
        auto add = [&](const char* content, bool lstrip, bool rstrip, bool singleWord, int offset) {
            json["added_tokens"].push_back({{"id", base + offset},
                                            {"content", content},
                                            {"special", false},
                                            {"lstrip", lstrip},
                                            {"rstrip", rstrip},
                                            {"single_word", singleWord},
                                            {"normalized", false}});
        };
        add("[L]", true, false, false, 10);
        add("[R]", false, true, false, 11);
        add("cat", false, false, true, 12);
        const Tokenizer t = Tokenizer::fromJson(json, "flags.json");
        const auto l = t.encode("a   [L]b");
        QCOMPARE(l.size(), size_t(3)); // the spaces before [L] belong to it
        QCOMPARE(l[1], base + 10);
        const auto r = t.encode("a[R]   b");
        QCOMPARE(r.size(), size_t(3)); // the spaces after [R] belong to it
        QCOMPARE(r[1], base + 11);
        QCOMPARE(t.encode("a cat b")[2], base + 12);
        const auto inWord = t.encode("concatenate");
        QVERIFY(std::find(inWord.begin(), inWord.end(), base + 12) == inWord.end());
    }

    void streamingDecodeEndsOnCharacterBoundaries()
    {
        const Tokenizer qwen = Tokenizer::fromFile(peerTokenizer("qwen3"));
        const std::string text = "Zhōngwén 中文 👩‍👩‍👧‍👦 and 😀! e\xCC\x81";
        const auto ids = qwen.encode(text);
        StreamDecoder stream(qwen);
        std::string joined;
        int emptyDeltas = 0;
        for (int32_t id : ids) {
            const std::string delta = stream.push(id);
            QCOMPARE(completeUtf8Prefix(delta), delta.size());
            validateUtf8(delta);
            emptyDeltas += delta.empty();
            joined += delta;
        }
        joined += stream.finish();
        QCOMPARE(joined, nfc(text));
        QVERIFY(emptyDeltas > 0); // some tokens carry only part of a character
    }

    void badInputNamesThePlace()
    {
        nlohmann::json json = trainByteLevelBpe({"abc"}, BpeTrainerOptions{.vocabSize = 270}).toJson();
        json["pre_tokenizer"]["pretokenizers"][1] = {{"type", "Metaspace"}};
        try {
            Tokenizer::fromJson(json, "tok.json");
            QFAIL("loaded an unsupported pre-tokenizer");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString("tok.json: pre_tokenizer.pretokenizers[1].type: unsupported \"Metaspace\""));
        }
        nlohmann::json noMerges = trainByteLevelBpe({"abc"}, BpeTrainerOptions{.vocabSize = 270}).toJson();
        noMerges["model"]["merges"].push_back({"zz", "qq"});
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::fromJson(noMerges, "tok.json"));

        const Tokenizer qwen = Tokenizer::fromFile(peerTokenizer("qwen3"));
        try {
            qwen.encode("ab\xFF"
                        "cd");
            QFAIL("encoded invalid UTF-8");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.place()), QString("byte 2"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::fromFile("/nonexistent/tokenizer.json"));
    }

    void chatTemplates()
    {
        const std::vector<Message> chat = {
            {"user", "What is 2+2?"}, {"assistant", "<think>\n2+2=4\n</think>\n\n4"}, {"user", "And 3+3?"}};
        QCOMPARE(ChatTemplate::named("deepseek_r1").apply(chat),
                 std::string("<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜>4"
                             "<｜end▁of▁sentence｜><｜User｜>And 3+3?<｜Assistant｜><think>\n"));
        QCOMPARE(ChatTemplate::named("qwen").apply({{"system", "Be brief."}, {"user", "Hi"}}),
                 std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi"
                             "<|im_end|>\n<|im_start|>assistant\n"));
        QCOMPARE(ChatTemplate::named("llama3").apply({{"user", "Hi"}}),
                 std::string("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi"
                             "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
        const std::string zero = ChatTemplate::named("r1_zero").apply({{"user", "1+1"}});
        QVERIFY(zero.rfind("A conversation between User and Assistant.", 0) == 0);
        QVERIFY(zero.find("<think> reasoning process here </think> <answer> answer here </answer>.") !=
                std::string::npos);
        const std::string ending = " User: 1+1. Assistant:";
        QCOMPARE(zero.substr(zero.size() - ending.size()), ending);
        QVERIFY(ChatTemplate::named("deepseek_r1").opensThinking());
        QVERIFY_THROWS_EXCEPTION(Error, ChatTemplate::named("vicuna"));

        // Chosen from the tokenizer: the DeepSeek-V3 vocabulary has <｜Assistant｜>.
        const Tokenizer deepseek = Tokenizer::fromFile(peerTokenizer("deepseek_v3"));
        QCOMPARE(ChatTemplate::forTokenizer(deepseek).name(), std::string("deepseek_r1"));
        QCOMPARE(ChatTemplate::forTokenizer(Tokenizer::fromFile(peerTokenizer("qwen3"))).name(), std::string("qwen"));
        // The prompt's special tokens encode to single ids.
        const auto ids = deepseek.encode(ChatTemplate::named("deepseek_r1").apply({{"user", "hi"}}), true);
        QCOMPARE(ids.front(), *deepseek.tokenToId("<｜begin▁of▁sentence｜>"));
    }

    // A run folder and its checkpoints keep the tokenizer as a folder: Qwen3's end-of-sequence
    // token (<|im_end|>, named only in tokenizer_config.json) and chat template survive the round
    // trip, where tokenizer.json alone would fall back to <|endoftext|>.
    void savedFolderKeepsSpecialTokensAndTemplate()
    {
        for (const char* name : {"qwen3", "deepseek_v3"}) {
            const std::string folder = std::string(THINKBENCH_PEER_TOKENIZERS_DIR "/") + name;
            const Tokenizer original = Tokenizer::fromDirectory(folder);
            QTemporaryDir dir;
            original.saveDirectory(dir.path().toStdString());
            const Tokenizer copy = Tokenizer::fromDirectory(dir.path().toStdString());
            QVERIFY(original.eosId().has_value());
            QCOMPARE(copy.eosId(), original.eosId());
            QCOMPARE(copy.bosId(), original.bosId());
            QCOMPARE(copy.padId(), original.padId());
            QVERIFY(!original.chatTemplateSource().empty());
            QCOMPARE(copy.chatTemplateSource(), original.chatTemplateSource());
            QCOMPARE(copy.encode("<think>\n2+2=4</think>", true), original.encode("<think>\n2+2=4</think>", true));
        }
        const Tokenizer qwen = Tokenizer::fromDirectory(std::string(THINKBENCH_PEER_TOKENIZERS_DIR "/qwen3"));
        QCOMPARE(qwen.idToToken(*qwen.eosId()), std::string("<|im_end|>"));
        QVERIFY(Tokenizer::fromFile(peerTokenizer("qwen3")).eosId() != qwen.eosId());
    }

    // A tokenizer keeps its vocabulary and merges in tables of its own, not the document's text:
    // what it writes back (save(), a GGUF export's metadata) is still the document it read, for
    // merges written "left right" (DeepSeek-V3) and as pairs (Qwen3).
    void toJsonGivesBackTheDocument_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("qwen3") << "qwen3";
        QTest::newRow("deepseek_v3") << "deepseek_v3";
    }

    void toJsonGivesBackTheDocument()
    {
        QFETCH(QString, name);
        const std::string path = peerTokenizer(qPrintable(name));
        std::ifstream in(path);
        const nlohmann::json document = nlohmann::json::parse(in);
        QVERIFY(Tokenizer::fromFile(path).toJson() == document);
    }

    // What the trainer writes is an ordinary tokenizer.json: Hugging Face loads it and encodes
    // every corpus text to our ids.
    void trainedTokenizerMatchesPeer()
    {
        std::vector<std::string> texts;
        for (size_t i = 0; i < expected_.size(); i += 2)
            texts.push_back(expected_[i]["text"].get<std::string>());
        BpeTrainerOptions options;
        options.vocabSize = 700;
        const Tokenizer trained = trainByteLevelBpe(texts, options);
        QCOMPARE(trained.vocabSize(), 700);
        QVERIFY(trained.encode("<think>").size() == 1);
        QCOMPARE(trained.encode("2025").size(), size_t(4)); // one token per digit

        QTemporaryDir dir;
        const QString path = dir.filePath("tokenizer.json");
        trained.save(path.toStdString());
        const Tokenizer reloaded = Tokenizer::fromFile(path.toStdString());
        const auto peer = runPeer({"trained=" + path}, readAll(kCorpus));
        QCOMPARE(peer.size(), expected_.size());
        for (size_t i = 0; i < peer.size(); ++i) {
            const std::string text = expected_[i]["text"].get<std::string>();
            const auto ours = reloaded.encode(text, true);
            QCOMPARE(ours, trained.encode(text, true));
            QVERIFY2(ours == peer[i]["trained"].get<std::vector<int32_t>>(),
                     qPrintable(QString::fromStdString(nlohmann::json(text).dump())));
        }
    }

    void cliTokenizeRoundTrip()
    {
        QProcess encode;
        encode.start(THINKBENCH_CLI, {"tokenize", "--tokenizer", QString::fromStdString(peerTokenizer("qwen3"))});
        encode.write("{\"text\": \"Hello, 世界 <think>\"}\n");
        encode.closeWriteChannel();
        QVERIFY(encode.waitForFinished(60000));
        QCOMPARE(encode.exitCode(), 0);
        const auto ids = nlohmann::json::parse(encode.readAllStandardOutput().toStdString());
        QVERIFY(ids.contains("ids"));

        QProcess decode;
        decode.start(THINKBENCH_CLI,
                     {"tokenize", "--decode", "--tokenizer", QString::fromStdString(peerTokenizer("qwen3"))});
        decode.write(QByteArray::fromStdString(ids.dump() + "\n"));
        decode.closeWriteChannel();
        QVERIFY(decode.waitForFinished(60000));
        const auto text = nlohmann::json::parse(decode.readAllStandardOutput().toStdString());
        QCOMPARE(text["text"].get<std::string>(), std::string("Hello, 世界 <think>"));

        QProcess bad;
        bad.start(THINKBENCH_CLI, {"tokenize", "--tokenizer", QString::fromStdString(peerTokenizer("qwen3"))});
        bad.write("{\"text\": \"ok\"}\nnot json\n");
        bad.closeWriteChannel();
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 1);
        QVERIFY(bad.readAllStandardError().contains("line 2"));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
