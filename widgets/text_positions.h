#pragma once
// Engine text positions are UTF-8 byte offsets; Qt's are UTF-16 code units. Engine ranges that a
// widget turns into QString ranges (the trace stepper's steps, which a reader selects and labels)
// are converted here, so an accent or an emoji before a range cannot shift it.

#include <cstddef>
#include <string_view>

namespace thinkbench::widgets {

// Positions in QString::fromStdString(utf8) of byte offsets into `utf8` (valid UTF-8, offsets on
// character boundaries). Walks on from the previous offset asked for, so asking in increasing
// order costs one pass over the text.
class Utf16Positions {
public:
    explicit Utf16Positions(std::string_view utf8)
        : utf8_(utf8)
    {
    }
    int at(size_t byteOffset);

private:
    std::string_view utf8_;
    size_t byte_ = 0;
    int unit_ = 0;
};

} // namespace thinkbench::widgets
