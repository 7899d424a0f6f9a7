#pragma once
// GPT-2's byte-level alphabet: byte-level vocabularies spell every byte as a printable character
// (a space is "Ġ", a line feed "Ċ"), so any byte sequence is a string of vocabulary symbols.

#include <cstdint>
#include <optional>
#include <string>

namespace thinkbench::core {

// The printable character that stands for a byte in vocabularies.
std::string byteLevelSymbol(uint8_t byte);
// The byte a character of the alphabet stands for; nullopt for a character outside it.
std::optional<uint8_t> byteOfSymbol(uint32_t codePoint);

} // namespace thinkbench::core
