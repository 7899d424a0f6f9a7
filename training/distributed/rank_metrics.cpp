#include "training/distributed/rank_metrics.h"

#include "core/store/metric_names.h"

#include <torch/torch.h>

namespace thinkbench::training {

double collectiveSecondsOf(const ProcessGroup* group)
{
    return group ? group->collectiveSeconds() : 0;
}

void addRankMetrics(ProcessGroup* group, std::map<std::string, double>& metrics, double ownTokensPerSecond,
                    double collectiveSecondsAtStart)
{
    if (!group)
        return;
    // Read before the exchange below: the step's collectives, not the one reporting them.
    metrics[std::string(core::metric::kDistCommSeconds)] = group->collectiveSeconds() - collectiveSecondsAtStart;
    at::Tensor throughput = torch::zeros({group->size()}, torch::kDouble);
    throughput[group->rank()] = ownTokensPerSecond;
    group->allReduceSum(throughput);
    for (int r = 0; r < group->size(); ++r)
        metrics[core::metric::distRankTokensPerSecond(r)] = throughput[r].item<double>();
}

} // namespace thinkbench::training
