// GGUF files: the header, metadata and tensor infos (parseGguf), every tensor's data dequantized,
// and the model config and tokenizer rebuilt from the metadata. Whatever the header says, a tensor
// it accepts must lie inside the file, aligned, with exactly the bytes its type and shape need:
// GgufFile::tensor and dequantize read those bytes with no further check.

#include "core/error.h"
#include "core/gguf/dequantize.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_model.h"
#include "core/gguf/gguf_tokenizer.h"
#include "fuzz/fuzz_input.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

void checkTensors(std::string_view file, const thinkbench::core::GgufHeader& header)
{
    using namespace thinkbench::core;
    for (const GgufTensorInfo& t : header.tensors) {
        const GgmlTypeTraits* traits = ggmlTypeTraits(t.type);
        if (!traits || !traits->supported || t.offset % header.alignment != 0)
            std::abort();
        const unsigned __int128 end = static_cast<unsigned __int128>(header.dataStart) + t.offset + t.bytes;
        const unsigned __int128 bytes =
            static_cast<unsigned __int128>(t.elements() / traits->blockElements) * traits->blockBytes;
        if (end > file.size() || bytes != t.bytes || t.elements() % traits->blockElements != 0)
            std::abort();
        if (t.elements() > (int64_t{1} << 20)) // a bounded buffer per input
            continue;
        std::vector<float> out(static_cast<size_t>(t.elements()));
        dequantize(static_cast<GgmlType>(t.type),
                   reinterpret_cast<const uint8_t*>(file.data()) + header.dataStart + t.offset, t.elements(),
                   out.data());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench;
    const std::string_view file(reinterpret_cast<const char*>(data), size);
    try {
        checkTensors(file, core::parseGguf(file, "model.gguf"));
    } catch (const core::Error&) {
        return 0;
    }
    static const fuzz::ScratchFolder scratch;
    const core::GgufFile gguf(scratch.write("model.gguf", file));
    try {
        const core::ModelConfig config = core::ggufModelConfig(gguf);
        const core::GgufCheckpoint checkpoint(gguf, config);
        for (const std::string& name : checkpoint.names())
            if (checkpoint.contains(name) && checkpoint.entry(name).shape.size() <= 4)
                checkpoint.tensor(name);
    } catch (const core::Error&) {
    }
    try {
        core::ggufTokenizer(gguf).encode("Hello <think> 123 世界", true);
    } catch (const core::Error&) {
    }
    return 0;
}
