#pragma once
// The optimiser side of a training stage: AdamW over a model's name -> tensor parameter map (state
// keyed by the same Hugging Face names, so it saves next to a checkpoint as safetensors), the
// learning-rate schedule (linear warm-up, then cosine decay or constant) and global-norm clipping.

#include "core/recipe/recipe.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace thinkbench::training {

// Learning rate at `step` (0-based) of `totalSteps`: linear warm-up over warmup_steps to lr, then
// cosine decay to lr * min_lr_ratio at the last step, or constant.
double scheduledLr(const core::OptimizerSettings& settings, int64_t step, int64_t totalSteps);

// Scales every gradient so their global L2 norm is at most maxNorm (0: no clipping); returns the
// norm before clipping. Parameters without a gradient are skipped.
double clipGradNorm(const std::map<std::string, at::Tensor>& params, double maxNorm);

// AdamW as PyTorch defines it (decoupled weight decay, bias-corrected moments).
class AdamW {
public:
    AdamW(double beta1, double beta2, double weightDecay, double eps = 1e-8);
    explicit AdamW(const core::OptimizerSettings& settings);

    // One update of every parameter that has a gradient, at learning rate lr.
    void step(std::map<std::string, at::Tensor>& params, double lr);
    int64_t steps() const { return steps_; }

    // Moments as "exp_avg.NAME" / "exp_avg_sq.NAME" plus "step" (int64), for a side file.
    std::map<std::string, at::Tensor> state() const;
    // Restores what state() returned; throws core::Error naming `file` on a malformed state.
    void loadState(const std::map<std::string, at::Tensor>& state, const std::string& file);
    void save(const std::string& path) const;
    void load(const std::string& path);

private:
    double beta1_;
    double beta2_;
    double weightDecay_;
    double eps_;
    int64_t steps_ = 0;
    std::map<std::string, at::Tensor> expAvg_;
    std::map<std::string, at::Tensor> expAvgSq_;
};

} // namespace thinkbench::training
