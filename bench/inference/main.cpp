// Decode speed against the memory-bandwidth roofline: a random-weight model of Qwen2.5-0.5B shape
// (hidden 896, 24 layers, 14 heads, 2 KV heads, intermediate 4864, vocab 151936, tied) in f32 and
// bf16, batch 1 and batch 16, plus prefill. Roofline tok/s = bandwidth / weight bytes per token.
// Usage: bench_inference [threads] [decode tokens]

#include "core/model/transformer.h"
#include "core/tokenizer/bpe_trainer.h"
#include "inference/generator.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

using namespace thinkbench;
using Clock = std::chrono::steady_clock;

namespace {

// Bytes read plus bytes written per second by a large copy (best of 5).
double memoryBandwidth()
{
    const size_t bytes = size_t(1) << 30;
    std::vector<char> a(bytes, 1), b(bytes, 2);
    double best = 0;
    for (int i = 0; i < 5; ++i) {
        const auto start = Clock::now();
        std::memcpy(b.data(), a.data(), bytes);
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        best = std::max(best, 2.0 * bytes / s);
        a[i] = b[bytes - 1 - i]; // keep the copies observable
    }
    return best;
}

} // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int decodeTokens = argc > 2 ? std::atoi(argv[2]) : 32;
    at::set_num_threads(threads);
    const double bandwidth = memoryBandwidth();
    std::printf("threads %d, memory bandwidth (copy, read+write) %.1f GB/s\n", threads, bandwidth / 1e9);

    const auto tokenizer = core::trainByteLevelBpe({"a b c"}, {.vocabSize = 270});
    const auto config = core::ModelConfig::fromJson({{"model_type", "qwen2"},
                                                     {"vocab_size", 151936},
                                                     {"hidden_size", 896},
                                                     {"intermediate_size", 4864},
                                                     {"num_hidden_layers", 24},
                                                     {"num_attention_heads", 14},
                                                     {"num_key_value_heads", 2},
                                                     {"tie_word_embeddings", true},
                                                     {"rope_theta", 1e6},
                                                     {"max_position_embeddings", 4096}},
                                                    "qwen2.5-0.5b-shape");
    std::printf("%-6s %-6s %12s %12s %14s %10s\n", "dtype", "batch", "prefill t/s", "decode t/s", "roofline t/s",
                "fraction");
    for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
        torch::manual_seed(0);
        const core::Transformer model(config, dtype, at::kCPU);
        // Every parameter is read once per decode step (the tied head reads the embedding).
        const double weightBytes = static_cast<double>(model.numParameters()) * (dtype == at::kFloat ? 4.0 : 2.0);
        const double roofline = bandwidth / weightBytes; // steps per second
        inference::Generator generator(model, tokenizer);
        for (int batch : {1, 16}) {
            std::vector<inference::GenerationRequest> requests;
            for (int b = 0; b < batch; ++b) {
                std::vector<int32_t> prompt;
                for (int i = 0; i < 64; ++i)
                    prompt.push_back((b * 131 + i * 7) % 151936);
                requests.push_back({prompt, {.maxNewTokens = decodeTokens, .eosIds = {-1}, .greedy = true}});
            }
            generator.generate({requests[0]}); // warm-up
            generator.generate(requests);
            const auto& s = generator.lastStats();
            const double decode = s.decodeTokensPerSecond();
            // At batch B one step yields B tokens for one pass over the weights.
            const double fraction = decode / batch / roofline;
            std::printf("%-6s %-6d %12.1f %12.1f %14.1f %9.0f%%\n", dtype == at::kFloat ? "f32" : "bf16", batch,
                        s.prefillTokensPerSecond(), decode, roofline * batch, 100 * fraction);
        }
    }
    return 0;
}
