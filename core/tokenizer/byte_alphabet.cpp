#include "core/tokenizer/byte_alphabet.h"

#include "core/tokenizer/utf8.h"

#include <array>
#include <unordered_map>

namespace thinkbench::core {

namespace {

// GPT-2's byte-level alphabet: every byte becomes a printable character.
struct ByteAlphabet {
    std::array<std::string, 256> byteToChar;
    std::unordered_map<uint32_t, uint8_t> charToByte;

    ByteAlphabet()
    {
        uint32_t extra = 0;
        for (uint32_t b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const uint32_t cp = printable ? b : 256 + extra++;
            appendUtf8(byteToChar[b], cp);
            charToByte[cp] = static_cast<uint8_t>(b);
        }
    }
};

const ByteAlphabet& byteAlphabet()
{
    static const ByteAlphabet alphabet;
    return alphabet;
}

} // namespace

std::string byteLevelSymbol(uint8_t byte)
{
    return byteAlphabet().byteToChar[byte];
}

std::optional<uint8_t> byteOfSymbol(uint32_t codePoint)
{
    const auto& charToByte = byteAlphabet().charToByte;
    const auto it = charToByte.find(codePoint);
    return it == charToByte.end() ? std::nullopt : std::optional<uint8_t>(it->second);
}

} // namespace thinkbench::core
