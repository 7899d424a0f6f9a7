#include "core/gguf/dequantize.h"
#include "core/quant/kernel_isa.h"

#include <algorithm>

namespace thinkbench::core::quant {

namespace {

// Elements decoded at once: one block, or 256 of a type stored element by element.
constexpr int64_t kChunk = 256;

template <GgmlType type>
void portableRows(const WeightRows& w, const Activations& a, int64_t begin, int64_t end, float* out)
{
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(type));
    const int64_t chunk = traits.blockElements == 1 ? kChunk : traits.blockElements;
    float decoded[kChunk];
    for (int64_t r = begin; r < end; ++r) {
        const uint8_t* row = w.data + r * w.rowBytes;
        for (int64_t b = 0; b < a.n; ++b)
            out[b * w.rows + r] = 0.0f;
        for (int64_t k = 0; k < a.cols; k += chunk) {
            const int64_t count = std::min(chunk, a.cols - k);
            dequantize(type, row + k / traits.blockElements * traits.blockBytes, count, decoded);
            for (int64_t b = 0; b < a.n; ++b) {
                const float* x = a.x + b * a.cols + k;
                float sum = 0.0f;
                for (int64_t i = 0; i < count; ++i)
                    sum += decoded[i] * x[i];
                out[b * w.rows + r] += sum;
            }
        }
    }
}

} // namespace

RowsKernel portableKernel(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
        return portableRows<GgmlType::F32>;
    case GgmlType::F16:
        return portableRows<GgmlType::F16>;
    case GgmlType::BF16:
        return portableRows<GgmlType::BF16>;
    case GgmlType::Q4_0:
        return portableRows<GgmlType::Q4_0>;
    case GgmlType::Q5_0:
        return portableRows<GgmlType::Q5_0>;
    case GgmlType::Q8_0:
        return portableRows<GgmlType::Q8_0>;
    case GgmlType::Q4_K:
        return portableRows<GgmlType::Q4_K>;
    case GgmlType::Q5_K:
        return portableRows<GgmlType::Q5_K>;
    case GgmlType::Q6_K:
        return portableRows<GgmlType::Q6_K>;
    default:
        return nullptr;
    }
}

} // namespace thinkbench::core::quant
