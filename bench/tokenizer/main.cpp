// Tokenizer speed: encode and decode MB/s on the conformance corpus for the Qwen3 and DeepSeek-V3
// tokenizers, single thread, and Hugging Face tokenizers' MB/s (the venv's, through
// peer_bench.py) on the same corpus in the same run.
// Usage: bench_tokenizer

#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

using namespace thinkbench::core;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}
} // namespace

int main()
{
    const std::string tokenizers = THINKBENCH_PEER_TOKENIZERS_DIR;
    const std::string corpusPath = THINKBENCH_SOURCE_DIR "/tests/data/tokenizer/corpus.jsonl";
    std::vector<std::string> texts;
    std::ifstream in(corpusPath);
    size_t bytes = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty())
            continue;
        texts.push_back(nlohmann::json::parse(line)["text"].get<std::string>());
        bytes += texts.back().size();
    }
    std::printf("corpus: %zu texts, %.2f MB\n", texts.size(), bytes / 1e6);

    const std::string command = "'" THINKBENCH_PYTHON "' '" THINKBENCH_SOURCE_DIR "/bench/tokenizer/peer_bench.py' '" +
                                corpusPath + "' qwen3='" + tokenizers + "/qwen3/tokenizer.json' deepseek_v3='" +
                                tokenizers + "/deepseek_v3/tokenizer.json'";
    nlohmann::json peerResult;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        std::string output;
        char buffer[4096];
        while (size_t n = fread(buffer, 1, sizeof buffer, pipe))
            output.append(buffer, n);
        if (pclose(pipe) == 0)
            peerResult = nlohmann::json::parse(output, nullptr, false);
    }

    std::printf("%-12s %14s %14s %10s | %14s %14s %10s | %8s\n", "tokenizer", "encode cold", "encode warm", "decode",
                "peer cold", "peer warm", "peer dec", "cold x");
    for (const char* name : {"qwen3", "deepseek_v3"}) {
        const Tokenizer tokenizer = Tokenizer::fromFile(tokenizers + "/" + name + "/tokenizer.json");
        std::vector<std::vector<int32_t>> ids;
        auto start = Clock::now();
        for (const auto& text : texts)
            ids.push_back(tokenizer.encode(text, true));
        const double cold = bytes / since(start) / 1e6;
        start = Clock::now();
        size_t tokens = 0;
        for (const auto& text : texts)
            tokens += tokenizer.encode(text, true).size();
        const double warm = bytes / since(start) / 1e6;
        start = Clock::now();
        size_t decoded = 0;
        for (const auto& row : ids)
            decoded += tokenizer.decode(row).size();
        const double decode = bytes / since(start) / 1e6;
        const auto& p = peerResult.is_object() ? peerResult[name] : nlohmann::json();
        const double peerCold = p.is_object() ? p["encode_cold"].get<double>() : 0;
        std::printf("%-12s %9.2f MB/s %9.2f MB/s %5.1f MB/s | %9.2f MB/s %9.2f MB/s %5.1f MB/s | %7.1fx\n", name, cold,
                    warm, decode, peerCold, p.is_object() ? p["encode_warm"].get<double>() : 0.0,
                    p.is_object() ? p["decode"].get<double>() : 0.0, peerCold > 0 ? cold / peerCold : 0.0);
        (void)tokens;
        (void)decoded;
    }
    if (!peerResult.is_object())
        std::printf("(peer not measured: %s failed; scripts/setup installs the venv)\n", command.c_str());
    return 0;
}
