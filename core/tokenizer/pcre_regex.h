#pragma once
// The regular expressions pre-tokenizers split with (tokenizer.json's Split patterns, ByteLevel's
// GPT-2 pattern), run by PCRE2.

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>
#include <string_view>

namespace thinkbench::core {

// A compiled PCRE2 pattern with JIT; patterns are written for Hugging Face's Oniguruma/Rust
// regexes, which PCRE2 with UTF + UCP reads the same way.
class Regex {
public:
    // Throws core::Error naming the file and the place in it of a pattern PCRE2 rejects.
    Regex(const std::string& pattern, const std::string& file, const std::string& place);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // Calls found(begin, end) for every non-overlapping, non-empty match in `text`.
    template <typename F> void forEach(std::string_view text, F&& found) const
    {
        // One match block per thread serves every pattern: only group 0 is read.
        struct MatchData {
            pcre2_match_data* data = pcre2_match_data_create(16, nullptr);
            ~MatchData() { pcre2_match_data_free(data); }
        };
        thread_local MatchData match;
        pcre2_match_data* match_ = match.data;
        size_t start = 0;
        const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        while (start <= text.size()) {
            const int rc = pcre2_match(code_, subject, text.size(), start, PCRE2_NO_UTF_CHECK, match_, nullptr);
            if (rc < 0)
                break;
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_);
            if (ov[1] == ov[0]) { // empty match: step one character forward
                start = ov[0] + 1;
                while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
                    ++start;
                continue;
            }
            found(ov[0], ov[1]);
            start = ov[1];
        }
    }

private:
    pcre2_code* code_ = nullptr;
};

} // namespace thinkbench::core
