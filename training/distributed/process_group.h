#pragma once
// The ranks of a distributed run as one group: rendezvous through rank 0's c10d::TCPStore, then
// the collectives of a c10d backend (Gloo on CPU, NCCL on CUDA). Every failure is a core::Error
// that names this rank and, where it can be told, the rank that was lost; c10d stays inside the
// .cpp so the training code that includes this does not pull in torch.distributed.

#include "core/recipe/recipe.h"
#include "training/distributed/world.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace thinkbench::training {

class ProcessGroup {
public:
    // Joins the other ranks at MASTER_ADDR:MASTER_PORT (rank 0 serves the store there); throws
    // when they are not all there within `timeout`.
    static std::unique_ptr<ProcessGroup> rendezvous(const World& world, std::chrono::seconds timeout);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    const World& world() const;
    int rank() const { return world().rank; }
    int size() const { return world().size; }

    // Starts the collective backend for ranks computing on `device`: the recipe's backend, or
    // NCCL for CUDA and Gloo otherwise; a collective waits at most the recipe's timeout.
    void connect(const core::DistributedSettings& settings, c10::Device device);
    std::string backendName() const;

    // Rank 0's `value` on every rank, through the store (a few strings a run, e.g. its recipe).
    std::string shareFromRoot(const std::string& key, const std::string& value);

    // In place, on every rank: the element-wise sum or maximum over the ranks, rank 0's tensor.
    void allReduceSum(at::Tensor& tensor);
    void allReduceMax(at::Tensor& tensor);
    void broadcastFromRoot(at::Tensor& tensor);
    // Every rank's `bytes`, in rank order, on every rank.
    std::vector<std::string> allGather(const std::string& bytes);
    void barrier();

    // Seconds this rank has spent in collectives since it connected, waiting for slower ranks
    // included: a step's communication time is the difference over the step.
    double collectiveSeconds() const;

private:
    struct Impl;
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace thinkbench::training
