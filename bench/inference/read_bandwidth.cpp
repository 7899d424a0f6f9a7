#include "read_bandwidth.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace thinkbench::bench {

double readBandwidth(int threads, bool hugePages, size_t bytes, int rounds)
{
    using Clock = std::chrono::steady_clock;
    const size_t hugePage = size_t(2) << 20;
    bytes = (bytes + hugePage - 1) / hugePage * hugePage;
    const std::unique_ptr<uint64_t, decltype(&std::free)> buffer(
        static_cast<uint64_t*>(std::aligned_alloc(hugePage, bytes)), &std::free);
    madvise(buffer.get(), bytes, hugePages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    const size_t words = bytes / sizeof(uint64_t);
    for (size_t i = 0; i < words; ++i) // touch every page before timing, with data not all zero
        buffer.get()[i] = i;
    const size_t slice = words / static_cast<size_t>(threads);
    std::vector<uint64_t> sums(static_cast<size_t>(threads));
    double best = 0;
    for (int round = 0; round < rounds; ++round) {
        const auto start = Clock::now();
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                const uint64_t* p = buffer.get() + static_cast<size_t>(t) * slice;
                uint64_t sum = 0;
                for (size_t i = 0; i < slice; ++i)
                    sum += p[i];
                sums[static_cast<size_t>(t)] = sum;
            });
        for (std::thread& w : workers)
            w.join();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        best = std::max(best, static_cast<double>(slice * static_cast<size_t>(threads) * sizeof(uint64_t)) / seconds);
    }
    static volatile uint64_t sink; // the sums are used, so the reads cannot be optimised away
    for (uint64_t s : sums)
        sink = sink + s;
    return best;
}

} // namespace thinkbench::bench
