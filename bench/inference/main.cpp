// Inference speed. Three modes:
//   bench_inference [threads] [decode tokens]
//     A random-weight model of Qwen2.5-0.5B shape (hidden 896, 24 layers, 14 heads, 2 KV heads,
//     intermediate 4864, vocab 151936, tied) built in memory in f32 and bf16, batch 1 and 16,
//     against the read-bandwidth roofline (tok/s = bandwidth / weight bytes per token).
//   bench_inference --model PATH [--dtype f32] [--threads 2] [--prompt 64] [--decode 128]
//                   [--prefill 512] [--greedy N [--prompts 4]]
//     A model folder or .gguf file as the CLI loads it: one JSON line with load seconds, prefill
//     and decode tok/s and peak RSS, or with --greedy the first N greedy ids of each prompt. The driver
//     bench/inference/llama_cpp_side_by_side.py runs this beside llama.cpp on the same file.
//   bench_inference --read-bandwidth [threads]
//     One JSON line: bytes per second the threads read, with huge pages and with 4 KiB pages.

#include "core/model/transformer.h"
#include "core/tokenizer/bpe_trainer.h"
#include "inference/generator.h"
#include "model_timing.h"
#include "read_bandwidth.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace thinkbench;

namespace {

void randomShapeTable(int threads, int decodeTokens)
{
    at::set_num_threads(threads);
    const double bandwidth = bench::readBandwidth(threads, true);
    std::printf("threads %d, read bandwidth (huge pages) %.1f GB/s\n", threads, bandwidth / 1e9);

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
}

int modelMode(int argc, char** argv)
{
    std::string path;
    bench::TimingOptions options;
    int greedy = 0;
    int prompts = 4;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc)
            throw std::invalid_argument(flag + " needs a value");
        const std::string value = argv[++i];
        if (flag == "--model")
            path = value;
        else if (flag == "--dtype")
            options.dtype = value;
        else if (flag == "--threads")
            options.threads = std::stoi(value);
        else if (flag == "--prompt")
            options.promptTokens = std::stoi(value);
        else if (flag == "--decode")
            options.decodeTokens = std::stoi(value);
        else if (flag == "--prefill")
            options.prefillTokens = std::stoi(value);
        else if (flag == "--greedy")
            greedy = std::stoi(value);
        else if (flag == "--prompts")
            prompts = std::stoi(value);
        else
            throw std::invalid_argument("unknown option " + flag);
    }
    nlohmann::json out = {{"model", path}, {"dtype", options.dtype}, {"threads", options.threads}};
    if (greedy > 0) {
        out["greedy"] = bench::greedyIds(path, options, greedy, prompts);
    } else {
        const bench::Timing t = bench::timeModel(path, options);
        out.update({{"load_s", t.loadSeconds},
                    {"prefill_tokens", options.prefillTokens},
                    {"prefill_tok_s", t.prefillTokensPerSecond},
                    {"prompt_tokens", options.promptTokens},
                    {"decode_tokens", options.decodeTokens},
                    {"decode_tok_s", t.decodeTokensPerSecond},
                    {"peak_rss_bytes", t.peakResidentBytes},
                    {"start_rss_bytes", t.startResidentBytes}});
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        if (argc > 1 && std::strcmp(argv[1], "--read-bandwidth") == 0) {
            const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
            const nlohmann::json out = {{"threads", threads},
                                        {"read_bytes_per_s", bench::readBandwidth(threads, true)},
                                        {"read_bytes_per_s_4k_pages", bench::readBandwidth(threads, false)}};
            std::printf("%s\n", out.dump().c_str());
            return 0;
        }
        if (argc > 1 && std::strncmp(argv[1], "--", 2) == 0)
            return modelMode(argc, argv);
        randomShapeTable(argc > 1 ? std::atoi(argv[1]) : 2, argc > 2 ? std::atoi(argv[2]) : 32);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_inference: %s\n", e.what());
        return 1;
    }
}
