#include "model_timing.h"

#include "inference/generator.h"
#include "inference/model_folder.h"
#include "inference/threads.h"

#include <sys/resource.h>

#include <chrono>

namespace thinkbench::bench {

namespace {

inference::GenerationRequest request(int promptTokens, int newTokens)
{
    // eos -1: never stop early, every run decodes exactly newTokens.
    return {benchPrompt(promptTokens), {.maxNewTokens = newTokens, .eosIds = {-1}, .greedy = true}};
}

inference::ModelFolder load(const std::string& path, const TimingOptions& options)
{
    inference::configureCpuThreads(at::kCPU, options.threads);
    // As generate, chat and serve load: weights read in place, a GGUF file's kept quantized.
    return inference::loadModelFolder(path, inference::parseDtype(options.dtype, "--dtype"), at::kCPU, {}, {},
                                      core::WeightUse::Inference);
}

} // namespace

std::vector<int32_t> benchPrompt(int n, int variant)
{
    std::vector<int32_t> ids;
    for (int i = 0; i < n; ++i) // below the Qwen vocabulary's added tokens
        ids.push_back(static_cast<int32_t>((1000 + 104729LL * variant + 7919LL * i) % 151643));
    return ids;
}

Timing timeModel(const std::string& path, const TimingOptions& options)
{
    Timing timing;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    timing.startResidentBytes = static_cast<size_t>(usage.ru_maxrss) * 1024;
    const auto start = std::chrono::steady_clock::now();
    const inference::ModelFolder folder = load(path, options);
    timing.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    inference::Generator generator(folder.model, folder.tokenizer);
    generator.generate({request(8, 4)}); // warm-up: first-touch of weights and workspaces

    generator.generate({request(options.prefillTokens, 1)});
    timing.prefillTokensPerSecond = generator.lastStats().prefillTokensPerSecond();

    // The first new token comes from the prompt's logits: decodeTokens + 1 of them take
    // decodeTokens one-token forward passes, the count llama.cpp's side times.
    generator.generate({request(options.promptTokens, options.decodeTokens + 1)});
    const inference::GenerationStats& stats = generator.lastStats();
    timing.decodeTokensPerSecond = static_cast<double>(stats.decodeTokens - 1) / stats.decodeSeconds;
    timing.peakResidentBytes = stats.peakMemoryBytes;
    return timing;
}

std::vector<std::vector<int32_t>> greedyIds(const std::string& path, const TimingOptions& options, int count,
                                            int prompts)
{
    const inference::ModelFolder folder = load(path, options);
    inference::Generator generator(folder.model, folder.tokenizer);
    std::vector<std::vector<int32_t>> ids;
    for (int v = 0; v < prompts; ++v) {
        inference::GenerationRequest r = request(options.promptTokens, count);
        r.promptIds = benchPrompt(options.promptTokens, v);
        ids.push_back(generator.generate({r}).at(0).ids);
    }
    return ids;
}

} // namespace thinkbench::bench
