#pragma once
// GGUF tensor data to f32, one block layout per type, written from the format's definition (ggml's
// block_q*_* structs) in portable scalar C++. The arithmetic follows the reference order (scale
// products rounded to f32 before they multiply the quant), so results equal gguf-py's bit for bit;
// dequantize.cpp is compiled without contracting multiply-adds into FMAs for that reason.

#include "core/gguf/gguf_types.h"

#include <cstdint>

namespace thinkbench::core {

// Decodes `count` elements (a whole number of blocks) of a supported type from `data` (count /
// blockElements * blockBytes bytes, little-endian) into `out`.
void dequantize(GgmlType type, const uint8_t* data, int64_t count, float* out);

// Whether dequantize() would give only finite values, read from the bits without decoding (what lets
// a model load check gigabytes of weights quickly): no exponent all ones in F32, F16 and BF16
// values, nor in the block types' f16 scales.
bool allFinite(GgmlType type, const uint8_t* data, int64_t count);

// IEEE half and bfloat16 bits to f32 (exact).
float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);

} // namespace thinkbench::core
