#include "core/model/decode_attention.h"

#include "core/parallel_grain.h"

#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace thinkbench::core {

namespace {

inline float asFloat(float x)
{
    return x;
}

inline float asFloat(c10::BFloat16 x)
{
    return static_cast<float>(x);
}

// Eight partial sums, so the compiler keeps the dot product in vector registers without
// reassociating a single float sum (which it may not do on its own).
template <class T> float dot(const float* q, const T* k, int64_t n)
{
    float lane[8] = {};
    int64_t d = 0;
    for (; d + 8 <= n; d += 8)
        for (int l = 0; l < 8; ++l)
            lane[l] += q[d + l] * asFloat(k[d + l]);
    float sum = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (; d < n; ++d)
        sum += q[d] * asFloat(k[d]);
    return sum;
}

template <class T>
void attendGroups(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask, float scale,
                  at::Tensor& out)
{
    const int64_t B = q.size(0), heads = q.size(1), kvHeads = k.size(1), S = k.size(2), dk = q.size(3), dv = v.size(3),
                  group = heads / kvHeads;
    const T* qData = q.const_data_ptr<T>();
    const T* kData = k.const_data_ptr<T>();
    const T* vData = v.const_data_ptr<T>();
    const float* mData = mask.defined() ? mask.const_data_ptr<float>() : nullptr;
    T* oData = out.mutable_data_ptr<T>();
    // One work item is a kv head of one sequence with the query heads that read it, so each cached
    // row is loaded once per step. Small contexts stay on the calling thread.
    at::parallel_for(0, B * kvHeads, parallelGrain(group * S * (dk + dv)), [&](int64_t begin, int64_t end) {
        std::vector<float> scores(static_cast<size_t>(group * S)), query(static_cast<size_t>(group * dk)),
            sum(static_cast<size_t>(group * dv));
        for (int64_t item = begin; item < end; ++item) {
            const int64_t b = item / kvHeads, g = item % kvHeads;
            const T* kRows = kData + b * k.stride(0) + g * k.stride(1);
            const T* vRows = vData + b * v.stride(0) + g * v.stride(1);
            for (int64_t i = 0; i < group; ++i) {
                const T* qRow = qData + b * q.stride(0) + (g * group + i) * q.stride(1);
                for (int64_t d = 0; d < dk; ++d)
                    query[static_cast<size_t>(i * dk + d)] = asFloat(qRow[d]);
            }
            for (int64_t j = 0; j < S; ++j) {
                const T* kRow = kRows + j * k.stride(2);
                for (int64_t i = 0; i < group; ++i)
                    scores[static_cast<size_t>(i * S + j)] = dot(query.data() + i * dk, kRow, dk) * scale;
            }
            std::fill(sum.begin(), sum.end(), 0.0f);
            for (int64_t i = 0; i < group; ++i) {
                const int64_t h = g * group + i;
                float* s = scores.data() + i * S;
                if (mData != nullptr) {
                    const float* m = mData + b * mask.stride(0) + h * mask.stride(1);
                    for (int64_t j = 0; j < S; ++j)
                        s[j] += m[j * mask.stride(3)];
                }
                const float top = *std::max_element(s, s + S);
                float total = 0.0f;
                for (int64_t j = 0; j < S; ++j) {
                    s[j] = std::exp(s[j] - top);
                    total += s[j];
                }
                float* acc = sum.data() + i * dv;
                for (int64_t j = 0; j < S; ++j) {
                    const T* vRow = vRows + j * v.stride(2);
                    const float p = s[j];
                    for (int64_t d = 0; d < dv; ++d)
                        acc[d] += p * asFloat(vRow[d]);
                }
                T* o = oData + (b * heads + h) * dv;
                for (int64_t d = 0; d < dv; ++d)
                    o[d] = static_cast<T>(acc[d] / total);
            }
        }
    });
}

bool unitRows(const at::Tensor& t)
{
    return t.dim() == 4 && (t.size(3) <= 1 || t.stride(3) == 1);
}

} // namespace

bool attendsOneQuery(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask)
{
    if (!unitRows(q) || !unitRows(k) || !unitRows(v) || q.size(2) != 1)
        return false;
    const at::ScalarType type = q.scalar_type();
    if ((type != at::kFloat && type != at::kBFloat16) || k.scalar_type() != type || v.scalar_type() != type)
        return false;
    if (!q.device().is_cpu() || !k.device().is_cpu() || !v.device().is_cpu())
        return false;
    if (at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad()))
        return false;
    const int64_t B = q.size(0), heads = q.size(1), kvHeads = k.size(1), S = k.size(2);
    if (k.size(0) != B || v.size(0) != B || v.size(1) != kvHeads || v.size(2) != S || k.size(3) != q.size(3) ||
        kvHeads == 0 || heads % kvHeads != 0 || S == 0)
        return false;
    if (!mask.defined())
        return true;
    return at::isFloatingType(mask.scalar_type()) && mask.device().is_cpu() && mask.dim() == 4 &&
           at::is_expandable_to(mask.sizes(), {B, heads, 1, S});
}

at::Tensor attendOneQuery(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                          double scale)
{
    const int64_t B = q.size(0), heads = q.size(1), S = k.size(2);
    const at::Tensor floatMask = mask.defined() ? mask.to(at::kFloat).expand({B, heads, 1, S}) : at::Tensor();
    at::Tensor out = at::empty({B, heads, 1, v.size(3)}, q.options());
    if (q.scalar_type() == at::kFloat)
        attendGroups<float>(q, k, v, floatMask, static_cast<float>(scale), out);
    else
        attendGroups<c10::BFloat16>(q, k, v, floatMask, static_cast<float>(scale), out);
    return out;
}

} // namespace thinkbench::core
