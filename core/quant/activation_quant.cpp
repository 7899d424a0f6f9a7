#include "core/quant/activation_quant.h"

#include <algorithm>
#include <cmath>

namespace thinkbench::core::quant {

void quantizeActivations(const float* x, int64_t n, int64_t cols, int8_t* q, float* scale, int32_t* sum32)
{
    for (int64_t block = 0; block < n * cols / 32; ++block) {
        const float* in = x + 32 * block;
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i)
            amax = std::max(amax, std::abs(in[i]));
        const float d = amax / 127.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        scale[block] = d;
        int32_t sum = 0;
        for (int i = 0; i < 32; ++i) {
            const auto value = static_cast<int8_t>(std::nearbyint(in[i] * inverse));
            q[32 * block + i] = value;
            sum += value;
        }
        sum32[block] = sum;
    }
}

} // namespace thinkbench::core::quant
