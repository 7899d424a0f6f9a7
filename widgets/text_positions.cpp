#include "widgets/text_positions.h"

namespace thinkbench::widgets {

int Utf16Positions::at(size_t byteOffset)
{
    if (byteOffset < byte_) {
        byte_ = 0;
        unit_ = 0;
    }
    for (; byte_ < byteOffset && byte_ < utf8_.size(); ++byte_) {
        const auto c = static_cast<unsigned char>(utf8_[byte_]);
        // A lead byte starts a character: one UTF-16 unit, two (a surrogate pair) from U+10000 on,
        // which is where four-byte sequences begin. Continuation bytes add nothing.
        if ((c & 0xC0) != 0x80)
            unit_ += c >= 0xF0 ? 2 : 1;
    }
    return unit_;
}

} // namespace thinkbench::widgets
