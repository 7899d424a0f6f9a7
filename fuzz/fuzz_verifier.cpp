// The verifier on a response and a truth (two parts, fuzz_input.h; a third part picks the
// countdown checker): answer extraction, equivalence, the whole verdict. Sampled responses are
// outside input: a GRPO run verifies whatever the policy writes.

#include "core/error.h"
#include "core/tasks/verifier.h"
#include "fuzz/fuzz_input.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace thinkbench;
    const auto parts = fuzz::splitParts(data, size);
    const std::string_view response = parts[0];
    const std::string_view truth = parts.size() > 1 ? parts[1] : std::string_view("42");
    const std::string_view task = parts.size() > 2 ? std::string_view("countdown") : std::string_view();
    try {
        const core::Extraction extraction = core::extractAnswer(response);
        core::equivalent(extraction.answer, truth);
        core::lastBoxed(response);
        core::verify(response, truth, task);
    } catch (const core::Error&) {
    }
    return 0;
}
