#include "training/distributed/process_group.h"

#include "core/cuda/cuda_plugin.h"
#include "core/cuda/cuda_support.h"
#include "core/error.h"

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>
#include <vector>

namespace thinkbench::training {

namespace {

struct Peer {
    std::string host;
    long pid = 0;
};

std::string hostName()
{
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// A process of this host that has exited (gone, or a zombie its parent has not reaped yet).
bool exited(long pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return true;
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] == 'Z' || line[close + 2] == 'X';
}

std::string peerName(const std::vector<Peer>& peers, int rank)
{
    const Peer& p = peers[size_t(rank)];
    return "rank " + std::to_string(rank) + " (pid " + std::to_string(p.pid) + " on " + p.host + ")";
}

// Which rank a failed collective lost: a rank of this host whose process has exited (the socket
// closes a moment before the process is gone, so this waits up to a second for it), else, with
// two ranks, the other one.
std::string lostRank(const std::vector<Peer>& peers, int self)
{
    const std::string here = hostName();
    for (int attempt = 0; attempt < 20; ++attempt) {
        std::string gone;
        for (int r = 0; r < int(peers.size()); ++r)
            if (r != self && peers[size_t(r)].host == here && exited(peers[size_t(r)].pid))
                gone += (gone.empty() ? "" : ", ") + peerName(peers, r);
        if (!gone.empty())
            return "lost " + gone;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (peers.size() == 2)
        return "lost " + peerName(peers, 1 - self) + " (not answering)";
    return "lost a rank that is not answering (" + std::to_string(peers.size()) + " ranks)";
}

std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

bool isLoopback(const std::string& addr)
{
    return addr == "localhost" || addr.starts_with("127.") || addr == "::1";
}

} // namespace

struct ProcessGroup::Impl {
    World world;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::Backend> backend;
    std::vector<Peer> peers;
    std::string backendName;
    c10::Device device = c10::kCPU; // where NCCL wants every tensor
    double collectiveSeconds = 0;

    // Runs a collective on `tensor`; NCCL takes device tensors only, so a CPU one (a step's
    // totals, the stop flag) goes through the rank's GPU.
    template <typename F> void on(const char* what, at::Tensor& tensor, F&& start)
    {
        if (backendName != "nccl" || tensor.is_cuda())
            return collective(what, [&] { return start(tensor); });
        at::Tensor staged = tensor.to(device);
        collective(what, [&] { return start(staged); });
        tensor.copy_(staged);
    }

    // Runs a collective and waits for it; a failure names this rank and the one lost.
    template <typename F> void collective(const char* what, F&& start)
    {
        if (!backend)
            throw core::Error("rank " + std::to_string(world.rank), what, "the process group is not connected");
        const auto begin = std::chrono::steady_clock::now();
        try {
            start()->wait();
            collectiveSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        } catch (const std::exception& e) {
            throw core::Error("rank " + std::to_string(world.rank), what,
                              lostRank(peers, world.rank) + ": " + firstLine(e.what()));
        }
    }
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl))
{
}

ProcessGroup::~ProcessGroup() = default;

const World& ProcessGroup::world() const
{
    return impl_->world;
}

std::unique_ptr<ProcessGroup> ProcessGroup::rendezvous(const World& world, std::chrono::seconds timeout)
{
    auto impl = std::make_unique<Impl>();
    impl->world = world;
    const std::string where = world.masterAddr + ":" + std::to_string(world.masterPort);
    try {
        c10d::TCPStoreOptions o;
        o.port = uint16_t(world.masterPort);
        o.isServer = world.rank == 0;
        o.numWorkers = size_t(world.size);
        o.waitWorkers = true;
        o.timeout = timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(world.masterAddr, o);
        const std::string self = hostName() + " " + std::to_string(long(getpid()));
        impl->store->set("peer/" + std::to_string(world.rank), std::vector<uint8_t>(self.begin(), self.end()));
        for (int r = 0; r < world.size; ++r) {
            const auto bytes = impl->store->get("peer/" + std::to_string(r));
            std::istringstream in(std::string(bytes.begin(), bytes.end()));
            Peer p;
            in >> p.host >> p.pid;
            impl->peers.push_back(p);
        }
    } catch (const std::exception& e) {
        throw core::Error("rank " + std::to_string(world.rank), "rendezvous at " + where,
                          "the " + std::to_string(world.size) + " ranks did not all meet within " +
                              std::to_string(timeout.count()) + " s: " + firstLine(e.what()));
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

void ProcessGroup::connect(const core::DistributedSettings& settings, c10::Device device)
{
    auto& m = *impl_;
    const std::chrono::milliseconds timeout = std::chrono::seconds(settings.timeout_seconds);
    const bool nccl = settings.backend == core::DistributedBackend::Nccl ||
                      (settings.backend == core::DistributedBackend::Auto && device.is_cuda());
    if (nccl && !device.is_cuda())
        throw core::Error("recipe", "distributed.backend", "nccl needs the ranks on CUDA (device = \"cuda\")");
    auto store = c10::make_intrusive<c10d::PrefixStore>(nccl ? "nccl" : "gloo", m.store);
    try {
        if (nccl) {
            // The ranks are on CUDA, so the CUDA plugin, which holds NCCL, is loaded.
            const auto ncclBackend = core::cudaPlugin().ncclBackend;
            if (!ncclBackend)
                throw core::Error("recipe", "distributed.backend", "this build has no NCCL; use gloo");
            m.backend = ncclBackend(store, m.world.rank, m.world.size, timeout);
            m.backendName = "nccl";
            m.device = device;
        } else {
            auto opts = c10d::ProcessGroupGloo::Options::create();
            opts->timeout = timeout;
            if (const char* iface = std::getenv("GLOO_SOCKET_IFNAME"); iface && *iface)
                opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
            else if (isLoopback(m.world.masterAddr))
                opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            m.backend = c10::make_intrusive<c10d::ProcessGroupGloo>(store, m.world.rank, m.world.size, opts);
            m.backendName = "gloo";
        }
    } catch (const core::Error&) {
        throw;
    } catch (const std::exception& e) {
        throw core::Error("rank " + std::to_string(m.world.rank), "connecting the process group",
                          lostRank(m.peers, m.world.rank) + ": " + firstLine(e.what()));
    }
}

std::string ProcessGroup::backendName() const
{
    return impl_->backendName;
}

std::string ProcessGroup::shareFromRoot(const std::string& key, const std::string& value)
{
    auto& m = *impl_;
    try {
        if (m.world.rank == 0) {
            m.store->set("share/" + key, std::vector<uint8_t>(value.begin(), value.end()));
            return value;
        }
        const auto bytes = m.store->get("share/" + key);
        return std::string(bytes.begin(), bytes.end());
    } catch (const std::exception& e) {
        throw core::Error("rank " + std::to_string(m.world.rank), "sharing " + key,
                          lostRank(m.peers, m.world.rank) + ": " + firstLine(e.what()));
    }
}

namespace {

c10d::AllreduceOptions reduceWith(c10d::ReduceOp::RedOpType op)
{
    c10d::AllreduceOptions o;
    o.reduceOp = op;
    return o;
}

} // namespace

void ProcessGroup::allReduceSum(at::Tensor& tensor)
{
    impl_->on("all-reduce", tensor, [&](at::Tensor& on) {
        std::vector<at::Tensor> t{on};
        return impl_->backend->allreduce(t, reduceWith(c10d::ReduceOp::SUM));
    });
}

void ProcessGroup::allReduceMax(at::Tensor& tensor)
{
    impl_->on("all-reduce", tensor, [&](at::Tensor& on) {
        std::vector<at::Tensor> t{on};
        return impl_->backend->allreduce(t, reduceWith(c10d::ReduceOp::MAX));
    });
}

void ProcessGroup::broadcastFromRoot(at::Tensor& tensor)
{
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    impl_->on("broadcast", tensor, [&](at::Tensor& on) {
        std::vector<at::Tensor> t{on};
        return impl_->backend->broadcast(t, o);
    });
}

std::vector<std::string> ProcessGroup::allGather(const std::string& bytes)
{
    // The lengths first, then each rank fills its own span of one buffer and the sum joins them.
    const int self = rank(), ranks = size();
    at::Tensor lengths = torch::zeros({ranks}, torch::kInt64);
    lengths[self] = int64_t(bytes.size());
    allReduceSum(lengths);
    std::vector<int64_t> length(lengths.data_ptr<int64_t>(), lengths.data_ptr<int64_t>() + ranks);
    int64_t offset = 0, total = 0;
    for (int r = 0; r < ranks; ++r) {
        offset += r < self ? length[size_t(r)] : 0;
        total += length[size_t(r)];
    }
    at::Tensor joined = torch::zeros({total}, torch::kUInt8);
    std::copy(bytes.begin(), bytes.end(), joined.data_ptr<uint8_t>() + offset);
    allReduceSum(joined);
    std::vector<std::string> out;
    const char* data = reinterpret_cast<const char*>(joined.data_ptr<uint8_t>());
    for (int r = 0, from = 0; r < ranks; from += int(length[size_t(r)]), ++r)
        out.emplace_back(data + from, size_t(length[size_t(r)]));
    return out;
}

void ProcessGroup::barrier()
{
    impl_->collective("barrier", [&] { return impl_->backend->barrier(); });
}

double ProcessGroup::collectiveSeconds() const
{
    return impl_->collectiveSeconds;
}

} // namespace thinkbench::training
