#pragma once
// The one exception type of the engine: every bad input names the file and the place in it.

#include <stdexcept>
#include <string>

namespace thinkbench::core {

class Error : public std::runtime_error {
public:
    // file: the file (or stream) at fault; place: where in it ("line 12, column 3",
    // "pre_tokenizer.pretokenizers[1].type", "tensor model.norm.weight"); either may be empty.
    Error(std::string file, std::string place, std::string message);

    const std::string& file() const { return file_; }
    const std::string& place() const { return place_; }
    const std::string& message() const { return message_; }

private:
    std::string file_;
    std::string place_;
    std::string message_;
};

} // namespace thinkbench::core
