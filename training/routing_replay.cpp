#include "training/routing_replay.h"

#include "core/error.h"
#include "core/model/transformer.h"

#include <ATen/ATen.h>

namespace thinkbench::training {

core::ExpertReplay expertReplay(const std::vector<const std::vector<int16_t>*>& records, int64_t width,
                                const core::ModelConfig& config, c10::Device device)
{
    int64_t layers = 0;
    for (int l = 0; l < config.num_hidden_layers; ++l)
        layers += config.isMoeLayer(l);
    const int64_t K = config.num_experts_per_tok, rows = static_cast<int64_t>(records.size());
    const int64_t perPosition = layers * K;
    // [rows, width, layers, K], then one [rows * width, K] tensor per layer as the forward takes it.
    at::Tensor experts = at::zeros({rows, width, layers, K}, at::kShort);
    at::Tensor recorded = at::zeros({rows, width}, at::kBool);
    for (int64_t r = 0; r < rows; ++r) {
        const std::vector<int16_t>& record = *records[size_t(r)];
        if (perPosition == 0 || record.size() % size_t(perPosition) != 0)
            throw core::Error("", "routing replay",
                              "a record of " + std::to_string(record.size()) + " experts is not whole positions of " +
                                  std::to_string(layers) + " MoE layers x top-" + std::to_string(K));
        const int64_t positions = std::min<int64_t>(width, static_cast<int64_t>(record.size()) / perPosition);
        std::copy_n(record.data(), positions * perPosition, experts[r].data_ptr<int16_t>());
        recorded[r].narrow(0, 0, positions).fill_(true);
    }
    core::ExpertReplay replay;
    const at::Tensor byLayer = experts.to(at::kLong).permute({2, 0, 1, 3}).reshape({layers, rows * width, K});
    for (int64_t l = 0; l < layers; ++l)
        replay.experts.push_back(byLayer[l].contiguous().to(device));
    replay.recorded = recorded.view({-1}).to(device);
    return replay;
}

RoutingComparison compareRouting(const std::vector<at::Tensor>& routed, const core::ExpertReplay& sampled)
{
    RoutingComparison c;
    const at::Tensor recorded = sampled.recorded.to(at::kCPU);
    for (size_t l = 0; l < routed.size() && l < sampled.experts.size(); ++l) {
        // The same experts in another order route the token identically.
        const at::Tensor mine = std::get<0>(routed[l].detach().to(at::kCPU).sort(-1));
        const at::Tensor theirs = std::get<0>(sampled.experts[l].to(at::kCPU).sort(-1));
        const at::Tensor differs = (mine != theirs).any(-1) & recorded;
        c.differing += differs.sum().item<double>();
        c.decisions += recorded.sum().item<double>();
    }
    return c;
}

} // namespace thinkbench::training
