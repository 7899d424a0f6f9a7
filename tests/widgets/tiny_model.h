#pragma once
// A tiny random-weight model saved as a Hugging Face folder for the panels that run models (chat,
// compare): a BPE tokenizer trained on R1-style text with the given chat tokens, a 2-layer qwen2
// with large random weights (varied text), and no EOS anywhere, so every reply runs to its token
// limit or to Stop. Include after <torch/torch.h> and <QtTest>.

#include "core/model/transformer.h"
#include "core/tokenizer/bpe_trainer.h"
#include "core/tokenizer/tokenizer.h"

#include <QDir>

#include <string>
#include <vector>

inline void makeTinyModel(const QString& dir, const std::vector<std::string>& chatTokens, int seed)
{
    using namespace thinkbench;
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i)
        texts.push_back("<think>Let me add " + std::to_string(i) + " and " + std::to_string(i * 7) +
                        ". Wait, check it again.</think> The answer is " + std::to_string(i * 8) + ".\n");
    core::BpeTrainerOptions options;
    options.vocabSize = 320;
    options.specialTokens = chatTokens;
    const core::Tokenizer tokenizer = core::trainByteLevelBpe(texts, options);
    torch::manual_seed(seed);
    const auto config = core::ModelConfig::fromJson({{"model_type", "qwen2"},
                                                     {"vocab_size", tokenizer.vocabSize()},
                                                     {"hidden_size", 32},
                                                     {"intermediate_size", 64},
                                                     {"num_hidden_layers", 2},
                                                     {"num_attention_heads", 4},
                                                     {"num_key_value_heads", 2},
                                                     {"tie_word_embeddings", true},
                                                     {"max_position_embeddings", 32768}},
                                                    "tiny");
    core::Transformer model(config, at::kFloat, at::kCPU);
    {
        torch::NoGradGuard noGrad;
        for (auto& [name, t] : model.namedParameters())
            if (name.find("norm") == std::string::npos)
                t.normal_(0, 0.3);
    }
    QVERIFY(QDir().mkpath(dir));
    model.save(dir.toStdString());
    tokenizer.save(QDir(dir).filePath(QStringLiteral("tokenizer.json")).toStdString());
}
