#include "training/distributed/global_batch.h"

#include "core/error.h"

#include <torch/torch.h>

#include <cstring>
#include <vector>

namespace thinkbench::training {

bool ownsShare(const ProcessGroup* group, int64_t index)
{
    return !group || index % group->size() == group->rank();
}

int ownShareOf(const ProcessGroup* group, int count)
{
    if (!group)
        return count;
    return count > group->rank() ? (count - group->rank() + group->size() - 1) / group->size() : 0;
}

void sumOverRanks(ProcessGroup* group, std::initializer_list<double*> values)
{
    if (!group)
        return;
    std::vector<double> v;
    for (const double* value : values)
        v.push_back(*value);
    at::Tensor t = torch::tensor(v, torch::kDouble);
    group->allReduceSum(t);
    int64_t i = 0;
    for (double* value : values)
        *value = t[i++].item<double>();
}

void globalTotals(ProcessGroup* group, double& tokens, double& sequences)
{
    sumOverRanks(group, {&tokens, &sequences});
}

at::Tensor gatherGroups(ProcessGroup* group, const at::Tensor& local, int64_t groupSize)
{
    const at::Tensor mine = local.to(at::kDouble).cpu().contiguous().view({-1, groupSize});
    if (!group)
        return mine.view({-1});
    // Group j of rank r is group j * ranks + r of the batch: each rank fills its rows, the sum joins them.
    at::Tensor all = torch::zeros({mine.size(0), group->size(), groupSize}, torch::kDouble);
    all.select(1, group->rank()).copy_(mine);
    group->allReduceSum(all);
    return all.view({-1});
}

at::Tensor gatherValues(ProcessGroup* group, const at::Tensor& local)
{
    const at::Tensor mine = local.detach().to(at::kDouble).cpu().contiguous().view({-1});
    if (!group)
        return mine;
    const std::string bytes(reinterpret_cast<const char*>(mine.data_ptr<double>()),
                            size_t(mine.numel()) * sizeof(double));
    std::vector<at::Tensor> parts;
    for (const std::string& theirs : group->allGather(bytes)) {
        at::Tensor part = torch::empty({int64_t(theirs.size() / sizeof(double))}, torch::kDouble);
        if (!theirs.empty()) // a rank with no values has an empty tensor, whose data is null
            std::memcpy(part.data_ptr<double>(), theirs.data(), theirs.size());
        parts.push_back(part);
    }
    return torch::cat(parts);
}

void reduceStepMetrics(ProcessGroup& group, std::map<std::string, double>& metrics,
                       const std::set<std::string_view>& sums, const std::set<std::string_view>& maxima,
                       const std::set<std::string_view>& globals)
{
    // The same keys on every rank, or the values below would be added across different metrics.
    uint64_t hash = 1469598103934665603ull;
    for (const auto& [key, value] : metrics)
        for (const char c : key + '\n')
            hash = (hash ^ uint8_t(c)) * 1099511628211ull;
    at::Tensor spread = torch::tensor({int64_t(hash >> 1), -int64_t(hash >> 1)}, torch::kInt64);
    group.allReduceMax(spread);
    if (spread[0].item<int64_t>() != -spread[1].item<int64_t>())
        throw core::Error("rank " + std::to_string(group.rank()), "step metrics",
                          "the ranks report different metrics for the same step");

    std::vector<double> values;
    for (const auto& [key, value] : metrics)
        values.push_back(value);
    at::Tensor summed = torch::tensor(values, torch::kDouble), largest = summed.clone();
    group.allReduceSum(summed);
    group.allReduceMax(largest);
    int64_t i = 0;
    for (auto& [key, value] : metrics) {
        if (sums.contains(key))
            value = summed[i].item<double>();
        else if (maxima.contains(key))
            value = largest[i].item<double>();
        else if (!globals.contains(key))
            value = summed[i].item<double>() / group.size();
        ++i;
    }
}

} // namespace thinkbench::training
