#include "core/quant/activation_quant.h"

#include <algorithm>
#include <cmath>

namespace thinkbench::core::quant {

void quantizeActivations(const float* x, int64_t n, int64_t cols, int64_t block, int8_t* q, float* scale,
                         int16_t* sum16)
{
    for (int64_t b = 0; b < n * cols / block; ++b) {
        const float* in = x + block * b;
        float amax = 0.0f;
        for (int64_t i = 0; i < block; ++i)
            amax = std::max(amax, std::abs(in[i]));
        const float d = amax / 127.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        scale[b] = d;
        for (int64_t i = 0; i < block; ++i)
            q[block * b + i] = static_cast<int8_t>(std::nearbyint(in[i] * inverse));
    }
    sumsOf16(q, n * cols, sum16);
}

void sumsOf16(const int8_t* q, int64_t count, int16_t* sum16)
{
    for (int64_t g = 0; g < count / 16; ++g) {
        int sum = 0;
        for (int i = 0; i < 16; ++i)
            sum += q[16 * g + i];
        sum16[g] = static_cast<int16_t>(sum);
    }
}

} // namespace thinkbench::core::quant
