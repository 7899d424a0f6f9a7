// The token permutation for grouped expert GEMMs in three kernels, one per step of
// routing_steps.h: count per chunk, place per expert, scatter per chunk (stable, deterministic:
// no atomics).

#include "core/error.h"
#include "core/model/cuda/launch.h"

namespace thinkbench::core::cuda {

namespace {

__global__ void countChunksKernel(const int64_t* experts, int64_t slotCount, int32_t numExperts, int32_t* counts)
{
    const int64_t chunk = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (chunk < chunkCount(slotCount))
        countChunk(experts, slotCount, chunk, numExperts, counts);
}

__global__ void placeExpertsKernel(const int32_t* counts, int64_t chunks, int32_t numExperts, int64_t* expertCounts,
                                   int64_t* starts)
{
    const int32_t expert = blockIdx.x * blockDim.x + threadIdx.x;
    if (expert < numExperts)
        placeExpert(counts, chunks, numExperts, expert, expertCounts, starts);
}

__global__ void scatterChunksKernel(const int64_t* experts, int64_t slotCount, int32_t numExperts, int64_t* starts,
                                    int64_t* order)
{
    const int64_t chunk = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (chunk < chunkCount(slotCount))
        scatterChunk(experts, slotCount, chunk, numExperts, starts, order);
}

void check(const char* step)
{
    if (const cudaError_t status = cudaGetLastError(); status != cudaSuccess)
        throw Error("", step, cudaGetErrorString(status));
}

unsigned blocksFor(int64_t items, int threads)
{
    return static_cast<unsigned>((items + threads - 1) / threads);
}

} // namespace

void launchPermuteTokens(const int64_t* experts, int64_t slotCount, int32_t numExperts, int32_t* counts,
                         int64_t* starts, int64_t* order, int64_t* expertCounts, cudaStream_t stream)
{
    constexpr int threads = 128;
    const int64_t chunks = chunkCount(slotCount);
    if (const cudaError_t status =
            cudaMemsetAsync(counts, 0, static_cast<size_t>(chunks * numExperts) * sizeof(int32_t), stream);
        status != cudaSuccess)
        throw Error("", "token permutation: clearing counts", cudaGetErrorString(status));
    if (chunks > 0) {
        countChunksKernel<<<blocksFor(chunks, threads), threads, 0, stream>>>(experts, slotCount, numExperts, counts);
        check("token permutation: count");
    }
    placeExpertsKernel<<<blocksFor(numExperts, threads), threads, 0, stream>>>(counts, chunks, numExperts, expertCounts,
                                                                               starts);
    check("token permutation: place");
    if (chunks > 0) {
        scatterChunksKernel<<<blocksFor(chunks, threads), threads, 0, stream>>>(experts, slotCount, numExperts, starts,
                                                                                order);
        check("token permutation: scatter");
    }
}

} // namespace thinkbench::core::cuda
