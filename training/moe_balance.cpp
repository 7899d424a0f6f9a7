#include "training/moe_balance.h"

#include "core/store/metric_names.h"

#include <torch/torch.h>

#include <algorithm>

namespace thinkbench::training {

void updateSelectionBias(at::Tensor& bias, const at::Tensor& load, double gamma)
{
    torch::NoGradGuard noGrad;
    const at::Tensor l = load.to(bias.device()).to(at::kFloat);
    bias.add_(at::sign(l.mean() - l) * gamma);
}

at::Tensor sequenceBalanceLoss(const std::vector<at::Tensor>& routerScores, const std::vector<at::Tensor>& biases,
                               int64_t B, int64_t T, int topK, double alpha)
{
    at::Tensor loss = torch::zeros({}, torch::kFloat);
    for (size_t l = 0; l < routerScores.size(); ++l) {
        const at::Tensor s = routerScores[l].to(at::kFloat).view({B, T, -1});
        const int64_t E = s.size(2);
        const at::Tensor p = (s / s.sum(-1, true)).mean(1); // [B, E]
        at::Tensor f;
        {
            torch::NoGradGuard noGrad;
            at::Tensor select = s;
            if (l < biases.size())
                select = s + biases[l].to(s.device()).to(at::kFloat);
            const at::Tensor chosen = std::get<1>(select.topk(topK, -1));
            f = torch::zeros({B, T, E}, s.options()).scatter_(-1, chosen, 1.0).sum(1) * (double(E) / double(topK * T));
        }
        loss = loss.to(s.device()) + (f * p).sum(-1).mean();
    }
    return loss * alpha;
}

void addExpertLoadMetrics(const at::Tensor& load, std::map<std::string, double>& metrics)
{
    if (!load.defined() || load.numel() == 0)
        return;
    const at::Tensor l = load.detach().to(at::kDouble).cpu();
    for (int64_t i = 0; i < l.size(0); ++i) {
        const at::Tensor row = l[i];
        const std::string key = core::metric::key(core::metric::kMoePrefix, "layer" + std::to_string(i));
        metrics[key + "/max_min"] = row.max().item<double>() / std::max(1.0, row.min().item<double>());
        const double mean = row.mean().item<double>();
        metrics[key + "/cv"] = mean > 0 ? row.std(false).item<double>() / mean : 0.0;
    }
}

} // namespace thinkbench::training
