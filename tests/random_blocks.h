#pragma once
// A QuantizedMatrix of random GGUF blocks, for the quantized kernels' test and benchmark: random
// quants and 6-bit scales, f16 block scales drawn from 1e-3..1e-2 (random bytes there would be NaN or
// 65504), and for F32/F16/BF16 normal values.

#include "core/quant/quantized_matrix.h"

#include <ATen/Context.h>
#include <ATen/ops/randn.h>
#include <c10/util/Half.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace thinkbench::tests {

// Byte offsets of the f16 scales in a block of `type`.
inline std::vector<int> blockScaleOffsets(core::GgmlType type)
{
    switch (type) {
    case core::GgmlType::Q4_K:
    case core::GgmlType::Q5_K:
        return {0, 2};
    case core::GgmlType::Q6_K:
        return {208};
    default:
        return {0};
    }
}

inline core::QuantizedMatrix randomQuantizedMatrix(core::GgmlType type, int64_t rows, int64_t cols, uint32_t seed)
{
    core::QuantizedMatrix w;
    w.type = type;
    w.rows = rows;
    w.cols = cols;
    auto bytes = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(rows * w.rowBytes()));
    if (type == core::GgmlType::F32 || type == core::GgmlType::F16 || type == core::GgmlType::BF16) {
        at::manual_seed(seed);
        const at::Tensor values = at::randn({rows, cols})
                                      .to(type == core::GgmlType::F32   ? at::kFloat
                                          : type == core::GgmlType::F16 ? at::kHalf
                                                                        : at::kBFloat16);
        std::memcpy(bytes->data(), values.data_ptr(), bytes->size());
    } else {
        std::mt19937 random(seed);
        for (uint8_t& byte : *bytes)
            byte = static_cast<uint8_t>(random());
        const uint32_t blockBytes = core::ggmlTypeTraits(static_cast<uint32_t>(type))->blockBytes;
        std::uniform_real_distribution<float> scale(1e-3f, 1e-2f);
        for (size_t block = 0; block < bytes->size(); block += blockBytes)
            for (int offset : blockScaleOffsets(type)) {
                const uint16_t half = c10::Half(scale(random)).x;
                std::memcpy(bytes->data() + block + offset, &half, 2);
            }
    }
    w.data = bytes->data();
    w.owner = bytes;
    return w;
}

} // namespace thinkbench::tests
