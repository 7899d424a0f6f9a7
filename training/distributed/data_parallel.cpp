#include "training/distributed/data_parallel.h"

#include <torch/torch.h>

#include <vector>

namespace thinkbench::training {

namespace {

// Consecutive parameters (in name order, the same on every rank) of one dtype and device, up to
// bucketBytes each.
std::vector<std::vector<std::string>> buckets(const std::map<std::string, at::Tensor>& params, int64_t bucketBytes)
{
    std::vector<std::vector<std::string>> out;
    int64_t bytes = 0;
    at::Tensor previous;
    for (const auto& [name, p] : params) {
        const int64_t size = p.numel() * int64_t(p.element_size());
        if (out.empty() || bytes + size > bucketBytes || p.scalar_type() != previous.scalar_type() ||
            p.device() != previous.device()) {
            out.emplace_back();
            bytes = 0;
        }
        out.back().push_back(name);
        bytes += size;
        previous = p;
    }
    return out;
}

int64_t totalElements(const std::map<std::string, at::Tensor>& params, const std::vector<std::string>& names)
{
    int64_t n = 0;
    for (const auto& name : names)
        n += params.at(name).numel();
    return n;
}

} // namespace

void allReduceGradients(ProcessGroup& group, std::map<std::string, at::Tensor>& params, int64_t bucketBytes)
{
    torch::NoGradGuard noGrad;
    // Which parameters have a gradient on some rank: those get one everywhere.
    std::vector<int32_t> flags;
    for (const auto& [name, p] : params)
        flags.push_back(int32_t(p.grad().defined()));
    at::Tensor present = torch::tensor(flags, torch::kInt32);
    group.allReduceSum(present);
    std::map<std::string, bool> anywhere;
    int64_t i = 0;
    for (const auto& [name, p] : params)
        anywhere[name] = present.data_ptr<int32_t>()[i++] > 0;

    for (const auto& names : buckets(params, bucketBytes)) {
        const at::Tensor& first = params.at(names.front());
        at::Tensor flat = torch::zeros({totalElements(params, names)}, first.options().requires_grad(false));
        int64_t offset = 0;
        for (const auto& name : names) {
            const at::Tensor& p = params.at(name);
            if (p.grad().defined())
                flat.narrow(0, offset, p.numel()).copy_(p.grad().reshape({-1}));
            offset += p.numel();
        }
        group.allReduceSum(flat);
        offset = 0;
        for (const auto& name : names) {
            at::Tensor& p = params.at(name);
            if (anywhere[name]) {
                const at::Tensor sum = flat.narrow(0, offset, p.numel()).view(p.sizes());
                if (p.grad().defined())
                    p.mutable_grad().copy_(sum);
                else
                    p.mutable_grad() = sum.clone();
            }
            offset += p.numel();
        }
    }
}

void broadcastParameters(ProcessGroup& group, std::map<std::string, at::Tensor>& params, int64_t bucketBytes)
{
    torch::NoGradGuard noGrad;
    for (const auto& names : buckets(params, bucketBytes)) {
        std::vector<at::Tensor> parts;
        for (const auto& name : names)
            parts.push_back(params.at(name).detach().reshape({-1}));
        at::Tensor flat = torch::cat(parts);
        group.broadcastFromRoot(flat);
        int64_t offset = 0;
        for (const auto& name : names) {
            at::Tensor& p = params.at(name);
            p.detach().copy_(flat.narrow(0, offset, p.numel()).view(p.sizes()));
            offset += p.numel();
        }
    }
}

bool agreeOnStop(ProcessGroup* group, bool requested)
{
    if (!group)
        return requested;
    at::Tensor flag = torch::full({1}, int(requested), torch::kInt32);
    group->allReduceMax(flag);
    return flag.item<int>() != 0;
}

} // namespace thinkbench::training
