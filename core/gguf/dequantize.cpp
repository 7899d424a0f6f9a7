#include "core/gguf/dequantize.h"

#include "core/error.h"

#include <cstring>
#include <span>

namespace thinkbench::core {

namespace {

constexpr int kSuperBlock = 256; // QK_K: elements of a K-quant block

uint16_t read16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

uint32_t read32(const uint8_t* p)
{
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

float half(const uint8_t* p)
{
    return halfToFloat(read16(p));
}

// Q4_0: f16 scale, 16 bytes of nibbles; element j is the low nibble of byte j, element j + 16 its
// high nibble, both offset by 8.
void q4_0(const uint8_t* b, float* y)
{
    const float d = half(b);
    const uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = d * static_cast<float>((qs[j] & 0x0F) - 8);
        y[j + 16] = d * static_cast<float>((qs[j] >> 4) - 8);
    }
}

// Q5_0: f16 scale, 32 high bits (bit j for element j), nibbles as Q4_0; offset by 16.
void q5_0(const uint8_t* b, float* y)
{
    const float d = half(b);
    const uint32_t qh = read32(b + 2);
    const uint8_t* qs = b + 6;
    for (int j = 0; j < 16; ++j) {
        const int low = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1) << 4);
        const int high = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
        y[j] = d * static_cast<float>(low - 16);
        y[j + 16] = d * static_cast<float>(high - 16);
    }
}

// Q8_0: f16 scale, 32 signed bytes.
void q8_0(const uint8_t* b, float* y)
{
    const float d = half(b);
    for (int j = 0; j < 32; ++j)
        y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

// The 6-bit scale and min of sub-block j (of 8) packed into Q4_K's and Q5_K's 12 bytes: bytes 0-3
// hold scales 0-3, bytes 4-7 mins 0-3, bytes 8-11 the low four bits of scales and mins 4-7, whose
// top two bits sit in the top bits of bytes 0-7.
void scaleMin(const uint8_t* s, int j, int& scale, int& min)
{
    if (j < 4) {
        scale = s[j] & 63;
        min = s[j + 4] & 63;
    } else {
        scale = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// Q4_K: f16 d and dmin, 12 scale bytes, 128 bytes of nibbles; 8 sub-blocks of 32, where sub-blocks
// 2c and 2c + 1 are the low and high nibbles of bytes 32c..32c + 31. y = d·scale·q − dmin·min.
void q4_K(const uint8_t* b, float* y)
{
    const float d = half(b), dmin = half(b + 2);
    const uint8_t* scales = b + 4;
    const uint8_t* qs = b + 16;
    for (int sub = 0; sub < 8; ++sub) {
        int scale, min;
        scaleMin(scales, sub, scale, min);
        const float dl = d * static_cast<float>(scale), ml = dmin * static_cast<float>(min);
        const uint8_t* q = qs + 32 * (sub / 2);
        const int shift = 4 * (sub % 2);
        for (int l = 0; l < 32; ++l)
            y[32 * sub + l] = dl * static_cast<float>((q[l] >> shift) & 0x0F) - ml;
    }
}

// Q5_K: Q4_K with a fifth bit per element: bit `sub` of qh[l] for element l of sub-block sub.
void q5_K(const uint8_t* b, float* y)
{
    const float d = half(b), dmin = half(b + 2);
    const uint8_t* scales = b + 4;
    const uint8_t* qh = b + 16;
    const uint8_t* qs = b + 48;
    for (int sub = 0; sub < 8; ++sub) {
        int scale, min;
        scaleMin(scales, sub, scale, min);
        const float dl = d * static_cast<float>(scale), ml = dmin * static_cast<float>(min);
        const uint8_t* q = qs + 32 * (sub / 2);
        const int shift = 4 * (sub % 2);
        for (int l = 0; l < 32; ++l) {
            const int value = ((q[l] >> shift) & 0x0F) | (((qh[l] >> sub) & 1) << 4);
            y[32 * sub + l] = dl * static_cast<float>(value) - ml;
        }
    }
}

// Q6_K: 128 bytes of low nibbles, 64 bytes of 2-bit highs, 16 signed 8-bit scales (one per 16
// elements), f16 d. Each half of 128 elements uses 64 low bytes (4 quarters of 32: low nibbles of
// bytes 0-31, of 32-63, then their high nibbles) and 32 high bytes (bits 2q..2q+1 for quarter q).
void q6_K(const uint8_t* b, float* y)
{
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const auto* scales = reinterpret_cast<const int8_t*>(b + 192);
    const float d = half(b + 208);
    for (int e = 0; e < kSuperBlock; ++e) {
        const int halfIndex = e / 128, r = e % 128;
        const int low = (ql[64 * halfIndex + r % 64] >> (4 * (r / 64))) & 0x0F;
        const int high = (qh[32 * halfIndex + r % 32] >> (2 * (r / 32))) & 3;
        const float ds = d * static_cast<float>(scales[e / 16]);
        y[e] = ds * static_cast<float>((low | (high << 4)) - 32);
    }
}

// Whether any of `count` little-endian words has all of `exponent`'s bits set: an Inf or a NaN. No
// early exit, so the loop vectorises.
template <typename Word> bool anyExponentAllOnes(const uint8_t* data, int64_t count, Word exponent)
{
    bool any = false;
    for (int64_t i = 0; i < count; ++i) {
        Word bits;
        std::memcpy(&bits, data + i * static_cast<int64_t>(sizeof(Word)), sizeof(Word));
        any |= (bits & exponent) == exponent;
    }
    return any;
}

// Where a block type's f16 scales sit in its block (Q4_K's and Q5_K's d and dmin, Q6_K's d after
// its quants); empty for a type that is no block type dequantize() reads.
std::span<const uint32_t> halfScaleOffsets(GgmlType type)
{
    static constexpr uint32_t kFirst[] = {0}, kFirstTwo[] = {0, 2}, kQ6K[] = {208};
    switch (type) {
    case GgmlType::Q4_0:
    case GgmlType::Q5_0:
    case GgmlType::Q8_0:
        return kFirst;
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
        return kFirstTwo;
    case GgmlType::Q6_K:
        return kQ6K;
    default:
        return {};
    }
}

} // namespace

float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t{h & 0x8000u} << 16;
    const uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1F) { // infinity or NaN (payload kept)
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else { // subnormal: normalise
        int e = 113;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (static_cast<uint32_t>(e) << 23) | ((mantissa & 0x3FFu) << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

float bfloat16ToFloat(uint16_t h)
{
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

void dequantize(GgmlType type, const uint8_t* data, int64_t count, float* out)
{
    if (count == 0) // an empty tensor: out may be null, which memcpy must not see
        return;
    switch (type) {
    case GgmlType::F32:
        std::memcpy(out, data, static_cast<size_t>(count) * sizeof(float));
        return;
    case GgmlType::F16:
        for (int64_t i = 0; i < count; ++i)
            out[i] = halfToFloat(read16(data + 2 * i));
        return;
    case GgmlType::BF16:
        for (int64_t i = 0; i < count; ++i)
            out[i] = bfloat16ToFloat(read16(data + 2 * i));
        return;
    default:
        break;
    }
    void (*block)(const uint8_t*, float*) = nullptr;
    switch (type) {
    case GgmlType::Q4_0:
        block = q4_0;
        break;
    case GgmlType::Q5_0:
        block = q5_0;
        break;
    case GgmlType::Q8_0:
        block = q8_0;
        break;
    case GgmlType::Q4_K:
        block = q4_K;
        break;
    case GgmlType::Q5_K:
        block = q5_K;
        break;
    case GgmlType::Q6_K:
        block = q6_K;
        break;
    default:
        throw Error("", "dequantize", "no dequantisation for " + ggmlTypeName(static_cast<uint32_t>(type)));
    }
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(type));
    for (int64_t i = 0; i < count / traits.blockElements; ++i)
        block(data + i * traits.blockBytes, out + i * traits.blockElements);
}

bool allFinite(GgmlType type, const uint8_t* data, int64_t count)
{
    switch (type) {
    case GgmlType::F32:
        return !anyExponentAllOnes<uint32_t>(data, count, 0x7F800000u);
    case GgmlType::F16:
        return !anyExponentAllOnes<uint16_t>(data, count, 0x7C00u);
    case GgmlType::BF16:
        return !anyExponentAllOnes<uint16_t>(data, count, 0x7F80u);
    default:
        break;
    }
    // A block's values are its f16 scales times small integers, at most 65504 x 127 x 32 (Q6_K's) in
    // size, far inside f32's range, and a scale that is Inf or NaN makes every value of its block
    // Inf or NaN (Inf x 0 is NaN): a block is finite exactly when its scales are.
    const std::span<const uint32_t> scales = halfScaleOffsets(type);
    if (scales.empty())
        throw Error("", "allFinite", "no dequantisation for " + ggmlTypeName(static_cast<uint32_t>(type)));
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(type));
    bool any = false;
    for (int64_t block = 0; block < count / traits.blockElements; ++block)
        for (uint32_t offset : scales)
            any |= (read16(data + block * traits.blockBytes + offset) & 0x7C00u) == 0x7C00u;
    return !any;
}

} // namespace thinkbench::core
