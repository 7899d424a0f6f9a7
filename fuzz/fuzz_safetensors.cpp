// safetensors headers and model.safetensors.index.json. One part (fuzz_input.h) is a safetensors
// file; with more, the first is an index and the others are shards. Whatever the header says, an
// entry it accepts must lie inside the file with exactly the bytes its shape and dtype need:
// SafetensorsFile::tensor reads those bytes with no further check.

#include "core/error.h"
#include "core/model/safetensors.h"
#include "fuzz/fuzz_input.h"

#include <cstdint>
#include <cstdlib>

namespace {

size_t elementSize(const std::string& dtype)
{
    if (dtype == "F64" || dtype == "I64")
        return 8;
    if (dtype == "F32" || dtype == "I32")
        return 4;
    if (dtype == "F16" || dtype == "BF16")
        return 2;
    return 1;
}

void checkHeader(std::string_view file, const std::string& path)
{
    using namespace thinkbench::core;
    const SafetensorsHeader header = parseSafetensorsHeader(file, path);
    for (const auto& [name, entry] : header.entries) {
        unsigned __int128 bytes = elementSize(entry.dtype);
        for (int64_t d : entry.shape)
            bytes = d < 0 ? 0 : (bytes > UINT64_MAX ? bytes : bytes * static_cast<uint64_t>(d));
        if (entry.begin > entry.end || header.dataStart + entry.end > file.size() || bytes != entry.end - entry.begin)
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench;
    const auto parts = fuzz::splitParts(data, size);
    try {
        if (parts.size() == 1) {
            checkHeader(parts[0], "model.safetensors");
            return 0;
        }
        core::parseSafetensorsIndex(parts[0], "model.safetensors.index.json");
    } catch (const core::Error&) {
    }
    for (size_t i = 1; i < parts.size(); ++i) {
        try {
            checkHeader(parts[i], "shard.safetensors");
        } catch (const core::Error&) {
        }
    }
    return 0;
}
