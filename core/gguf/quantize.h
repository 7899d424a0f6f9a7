#pragma once
// f32 to ggml's quantized blocks, written from the block layouts dequantize.cpp reads. Q8_0 is
// llama.cpp's reference quantizer (bytes equal gguf-py's); Q5_0, Q4_K and Q6_K are ours: each
// scale chosen by a small search that minimises the block's squared error, then every element
// rounded against the scales as stored (f16 and 6- or 8-bit), so the error measured is the file's.

#include "core/gguf/gguf_types.h"

#include <cstdint>
#include <string>

namespace thinkbench::core {

// The blocks of `count` elements (a whole number of `type`'s blocks: 32 for Q8_0 and Q5_0, 256 for
// Q4_K and Q6_K) of `data`. Blocks are quantized in parallel on the ATen thread pool. A value that
// is not finite is a core::Error naming its element, counted from `firstElement` (data's index in a
// larger tensor quantized piece by piece).
std::string quantize(GgmlType type, const float* data, int64_t count, int64_t firstElement = 0);

} // namespace thinkbench::core
