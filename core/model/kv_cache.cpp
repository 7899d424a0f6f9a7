#include "core/model/kv_cache.h"

#include <ATen/ATen.h>

namespace thinkbench::core {

namespace {

constexpr int64_t kGrowth = 256;

// GQA caches [B, heads, capacity, dim] and MLA caches [B, capacity, dim]: where positions run.
int64_t timeDim(const at::Tensor& t)
{
    return t.dim() == 4 ? 2 : 1;
}

// t's filled `length` positions, zero-padded `left` before and up to `capacity` in all.
at::Tensor placed(const at::Tensor& t, int64_t length, int64_t left, int64_t capacity)
{
    const int64_t d = timeDim(t);
    std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    shape[static_cast<size_t>(d)] = capacity;
    at::Tensor out = at::zeros(shape, t.options());
    out.narrow(d, left, length).copy_(t.narrow(d, 0, length));
    return out;
}

} // namespace

void KvCache::appendRows(const KvCache& other)
{
    if (batch() == 0) {
        *this = other;
        return;
    }
    const int64_t newLength = std::max(length, other.length);
    const int64_t newCapacity = std::max({capacity, other.capacity, newLength});
    for (size_t l = 0; l < first.size(); ++l) {
        first[l] = at::cat({placed(first[l], length, newLength - length, newCapacity),
                            placed(other.first[l], other.length, newLength - other.length, newCapacity)});
        second[l] = at::cat({placed(second[l], length, newLength - length, newCapacity),
                             placed(other.second[l], other.length, newLength - other.length, newCapacity)});
    }
    valid = at::cat({placed(valid, length, newLength - length, newCapacity),
                     placed(other.valid, other.length, newLength - other.length, newCapacity)});
    length = newLength;
    capacity = newCapacity;
}

void KvCache::reserve(int64_t positions)
{
    if (length + positions <= capacity)
        return;
    const int64_t newCapacity = length + std::max(positions, kGrowth);
    for (auto& t : first)
        t = placed(t, length, 0, newCapacity);
    for (auto& t : second)
        t = placed(t, length, 0, newCapacity);
    valid = placed(valid, length, 0, newCapacity);
    capacity = newCapacity;
}

void KvCache::dropLeadingPadding()
{
    if (batch() == 0 || length == 0)
        return;
    const int64_t unused = valid.narrow(1, 0, length).any(0).to(at::kInt).argmax().item<int64_t>();
    if (unused == 0)
        return;
    const auto shift = [&](at::Tensor& t) {
        const int64_t d = timeDim(t);
        at::Tensor out = at::zeros_like(t);
        out.narrow(d, 0, length - unused).copy_(t.narrow(d, unused, length - unused));
        t = out;
    };
    for (auto& t : first)
        shift(t);
    for (auto& t : second)
        shift(t);
    shift(valid);
    length -= unused;
}

} // namespace thinkbench::core
