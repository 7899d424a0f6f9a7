// JSONL and JSON-array datasets: every line or item becomes a problem or a reported skip.

#include "core/error.h"
#include "core/tasks/task.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench::core;
    DatasetReport report;
    try {
        parseDataset(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.jsonl", report);
    } catch (const Error&) {
    }
    return 0;
}
