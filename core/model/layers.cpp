#include "core/model/layers.h"

#include "core/model/batch_invariance.h"
#include "core/model/decode_attention.h"
#include "core/parallel_grain.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <cmath>

namespace thinkbench::core {

namespace {

// Whether rmsNorm's one-pass loop serves: the CPU, f32 or bf16 throughout, no gradient wanted.
bool rowLoopServes(const at::Tensor& x, const at::Tensor& weight)
{
    return x.device().is_cpu() && weight.device().is_cpu() &&
           (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16) &&
           weight.scalar_type() == x.scalar_type() && weight.dim() == 1 && weight.is_contiguous() && x.dim() >= 1 &&
           weight.size(0) == x.size(-1) &&
           !(at::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad()));
}

// The ops of the general path, row by row: squares summed in f32, the mean plus eps, 1 / sqrt in
// f32, x times it rounded to T, times the weight rounded to T. Only the order of the sum differs.
template <class T> void rmsNormRows(const T* x, const T* weight, T* y, int64_t begin, int64_t end, int64_t n, float eps)
{
    constexpr int kLanes = 8; // independent sums, so the compiler can keep them in one vector
    for (int64_t r = begin; r < end; ++r) {
        const T* in = x + r * n;
        T* out = y + r * n;
        float lanes[kLanes] = {};
        int64_t i = 0;
        for (; i + kLanes <= n; i += kLanes)
            for (int l = 0; l < kLanes; ++l)
                lanes[l] += static_cast<float>(in[i + l]) * static_cast<float>(in[i + l]);
        float sum = 0.0f;
        for (float lane : lanes)
            sum += lane;
        for (; i < n; ++i)
            sum += static_cast<float>(in[i]) * static_cast<float>(in[i]);
        const float inverse = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
        for (i = 0; i < n; ++i)
            out[i] = static_cast<T>(static_cast<float>(weight[i]) *
                                    static_cast<float>(static_cast<T>(static_cast<float>(in[i]) * inverse)));
    }
}

} // namespace

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps)
{
    // A decode step's rmsNorm is one row: the six tensor ops below cost more in dispatch than in
    // arithmetic, on the thread the others wait for (57 a token for the 1.5B shape).
    if (rowLoopServes(x, weight)) {
        const at::Tensor xc = x.contiguous();
        at::Tensor y = at::empty_like(xc);
        const int64_t n = x.size(-1), rows = n == 0 ? 0 : x.numel() / n;
        at::parallel_for(0, rows, parallelGrain(n), [&](int64_t begin, int64_t end) {
            if (x.scalar_type() == at::kFloat)
                rmsNormRows(xc.const_data_ptr<float>(), weight.const_data_ptr<float>(), y.data_ptr<float>(), begin, end,
                            n, static_cast<float>(eps));
            else
                rmsNormRows(xc.const_data_ptr<c10::BFloat16>(), weight.const_data_ptr<c10::BFloat16>(),
                            y.data_ptr<c10::BFloat16>(), begin, end, n, static_cast<float>(eps));
        });
        return y;
    }
    const at::Tensor xf = x.to(at::kFloat);
    const at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps);
    return weight * normed.to(x.scalar_type());
}

at::Tensor dense(const at::Tensor& x, const LinearWeight& w, const at::Tensor& b)
{
    if (BatchInvariantScope::active())
        return linearInRowBlocks(x, w, b);
    return w.product(x, b);
}

std::vector<at::Tensor> denseOfOneInput(const at::Tensor& x, std::initializer_list<const LinearWeight*> weights,
                                        std::initializer_list<at::Tensor> biases)
{
    if (!BatchInvariantScope::active())
        return LinearWeight::products(x, weights, biases);
    std::vector<at::Tensor> out;
    for (size_t i = 0; i < weights.size(); ++i)
        out.push_back(dense(x, *weights.begin()[i], biases.begin()[i]));
    return out;
}

at::Tensor swiglu(const at::Tensor& x, const LinearWeight& gate, const LinearWeight& up, const LinearWeight& down)
{
    if (at::GradMode::is_enabled())
        return dense(at::silu(dense(x, gate)) * dense(x, up), down);
    // Without autograd, in place: two [tokens, intermediate] activations live instead of four
    // (a 512-token prefill of the 1.5B shape: 37 MB less at the peak).
    std::vector<at::Tensor> gateUp = denseOfOneInput(x, {&gate, &up}, {at::Tensor(), at::Tensor()});
    at::silu_(gateUp[0]);
    gateUp[0].mul_(gateUp[1]);
    return dense(gateUp[0], down);
}

at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask, double scale,
                  bool enableGqa)
{
    // Row by row by construction, so it serves under a BatchInvariantScope too.
    if ((enableGqa || q.size(1) == k.size(1)) && attendsOneQuery(q, k, v, mask))
        return attendOneQuery(q, k, v, mask, scale);
    if (BatchInvariantScope::active())
        return attendRowByRow(q, k, v, mask, scale, enableGqa);
    return at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, scale, enableGqa);
}

} // namespace thinkbench::core
