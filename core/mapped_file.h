#pragma once
// A file mapped read-only into memory for as long as the object lives: the weight files
// (safetensors, GGUF) are read in place, without a copy of the whole file.

#include <cstddef>
#include <string>
#include <string_view>

namespace thinkbench::core {

class MappedFile {
public:
    // Throws core::Error naming the file when it cannot be opened, is not a regular file or
    // cannot be mapped. An empty file maps to an empty view.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return path_; }
    const char* data() const { return data_; }
    size_t size() const { return size_; }
    std::string_view bytes() const { return {data_, size_}; }
    // Drops the whole pages of [begin, begin + bytes) from this process's memory once they are copied
    // out (a later read maps them in again), so reading a file into tensors holds one copy, not two.
    void release(const char* begin, size_t bytes) const;

private:
    std::string path_;
    const char* data_ = nullptr;
    size_t size_ = 0;
};

} // namespace thinkbench::core
