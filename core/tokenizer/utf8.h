#pragma once
// UTF-8 as the tokenizer meets it: text checked and normalised on the way in; on the way out, byte
// streams that may stop inside a character or hold bytes that are no UTF-8 at all (a model can
// emit any token sequence).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace thinkbench::core {

// The length of the longest prefix of `bytes` made of complete UTF-8 characters.
size_t completeUtf8Prefix(std::string_view bytes);
// Replaces every invalid UTF-8 byte with U+FFFD.
std::string lossyUtf8(std::string_view bytes);
// Throws core::Error with the offset of the first invalid byte.
void validateUtf8(std::string_view text, const std::string& source = "input");
std::string nfc(std::string_view text);
// Appends the UTF-8 bytes of a code point.
void appendUtf8(std::string& out, uint32_t codePoint);

} // namespace thinkbench::core
