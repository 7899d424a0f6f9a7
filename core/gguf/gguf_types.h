#pragma once
// The tensor types of GGUF (ggml's type ids): each stored in blocks of a fixed number of elements
// and bytes. Every type ggml defines is named, so a file of an unsupported type is told apart
// from a damaged one; dequantize() reads the supported ones.

#include <cstdint>
#include <string>

namespace thinkbench::core {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q5_0 = 6,
    Q8_0 = 8,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    BF16 = 30,
};

struct GgmlTypeTraits {
    uint32_t id;
    const char* name;
    uint32_t blockElements; // elements per block: a row's length is a multiple of it
    uint32_t blockBytes;
    bool supported; // dequantize() reads it
};

// The traits of a type id, or nullptr for an id ggml does not define.
const GgmlTypeTraits* ggmlTypeTraits(uint32_t id);
// "Q4_K", or "type 99" for an unknown id.
std::string ggmlTypeName(uint32_t id);

} // namespace thinkbench::core
