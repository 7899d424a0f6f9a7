#include "core/tokenizer/pcre_regex.h"

#include "core/error.h"

namespace thinkbench::core {

Regex::Regex(const std::string& pattern, const std::string& file, const std::string& place)
{
    int code;
    PCRE2_SIZE offset;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &code, &offset, nullptr);
    if (!code_) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(code, message, sizeof message);
        throw Error(file, place,
                    "invalid regex at offset " + std::to_string(offset) + ": " + reinterpret_cast<char*>(message));
    }
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);
}

Regex::~Regex()
{
    pcre2_code_free(code_);
}

} // namespace thinkbench::core
