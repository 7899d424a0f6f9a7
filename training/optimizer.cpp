#include "training/optimizer.h"

#include "core/error.h"
#include "core/model/safetensors.h"

#include <torch/torch.h>

#include <cmath>
#include <numbers>

namespace thinkbench::training {

double scheduledLr(const core::OptimizerSettings& settings, int64_t step, int64_t totalSteps)
{
    const int64_t warmup = settings.warmup_steps;
    if (step < warmup)
        return settings.lr * double(step + 1) / double(warmup);
    if (settings.schedule == core::LrSchedule::Constant)
        return settings.lr;
    const int64_t decaySteps = std::max<int64_t>(1, totalSteps - warmup - 1);
    const double progress = std::min(1.0, double(step - warmup) / double(decaySteps));
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    return settings.lr * (settings.min_lr_ratio + (1.0 - settings.min_lr_ratio) * cosine);
}

double clipGradNorm(const std::map<std::string, at::Tensor>& params, double maxNorm)
{
    double squares = 0;
    for (const auto& [name, p] : params)
        if (p.grad().defined())
            squares += p.grad().to(at::kDouble).pow(2).sum().item<double>();
    const double norm = std::sqrt(squares);
    if (maxNorm > 0 && norm > maxNorm) {
        const double scale = maxNorm / (norm + 1e-6);
        for (const auto& [name, p] : params)
            if (p.grad().defined())
                p.mutable_grad().mul_(scale);
    }
    return norm;
}

AdamW::AdamW(double beta1, double beta2, double weightDecay, double eps)
    : beta1_(beta1)
    , beta2_(beta2)
    , weightDecay_(weightDecay)
    , eps_(eps)
{
}

AdamW::AdamW(const core::OptimizerSettings& settings)
    : AdamW(settings.beta1, settings.beta2, settings.weight_decay)
{
}

void AdamW::step(std::map<std::string, at::Tensor>& params, double lr)
{
    ++steps_;
    const double correction1 = 1.0 - std::pow(beta1_, double(steps_));
    const double correction2 = 1.0 - std::pow(beta2_, double(steps_));
    torch::NoGradGuard noGrad;
    for (auto& [name, p] : params) {
        if (!p.grad().defined())
            continue;
        const at::Tensor grad = p.grad();
        auto& m = expAvg_[name];
        auto& v = expAvgSq_[name];
        if (!m.defined()) {
            m = torch::zeros_like(p);
            v = torch::zeros_like(p);
        } else if (m.device() != p.device()) { // state restored on the CPU
            m = m.to(p.device());
            v = v.to(p.device());
        }
        if (weightDecay_ != 0)
            p.mul_(1.0 - lr * weightDecay_);
        m.mul_(beta1_).add_(grad, 1.0 - beta1_);
        v.mul_(beta2_).addcmul_(grad, grad, 1.0 - beta2_);
        const at::Tensor denom = (v.sqrt() / std::sqrt(correction2)).add_(eps_);
        p.addcdiv_(m, denom, -lr / correction1);
    }
}

std::map<std::string, at::Tensor> AdamW::state() const
{
    std::map<std::string, at::Tensor> out;
    for (const auto& [name, m] : expAvg_) {
        out["exp_avg." + name] = m;
        out["exp_avg_sq." + name] = expAvgSq_.at(name);
    }
    out["step"] = torch::tensor({steps_}, torch::kInt64);
    return out;
}

void AdamW::loadState(const std::map<std::string, at::Tensor>& state, const std::string& file)
{
    const auto stepIt = state.find("step");
    if (stepIt == state.end() || stepIt->second.numel() != 1)
        throw core::Error(file, "step", "optimizer state has no step counter");
    std::map<std::string, at::Tensor> avg, avgSq;
    for (const auto& [key, tensor] : state) {
        if (key == "step")
            continue;
        if (key.starts_with("exp_avg_sq."))
            avgSq[key.substr(11)] = tensor.clone();
        else if (key.starts_with("exp_avg."))
            avg[key.substr(8)] = tensor.clone();
        else
            throw core::Error(file, key, "unexpected tensor in optimizer state");
    }
    for (const auto& [name, m] : avg)
        if (!avgSq.count(name))
            throw core::Error(file, "exp_avg_sq." + name, "missing second moment");
    if (avg.size() != avgSq.size())
        throw core::Error(file, "exp_avg", "first and second moments name different parameters");
    steps_ = stepIt->second.item<int64_t>();
    expAvg_ = std::move(avg);
    expAvgSq_ = std::move(avgSq);
}

void AdamW::save(const std::string& path) const
{
    core::writeSafetensors(path, state());
}

void AdamW::load(const std::string& path)
{
    core::SafetensorsFile file(path);
    std::map<std::string, at::Tensor> state;
    for (const auto& [name, entry] : file.entries())
        state[name] = file.tensor(name);
    loadState(state, path);
}

} // namespace thinkbench::training
