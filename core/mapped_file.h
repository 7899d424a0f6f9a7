#pragma once
// A file mapped read-only into memory for as long as the object lives: the weight files
// (safetensors, GGUF) are read in place, without a copy of the whole file.
//
// A model loaded for inference is read once instead (Residency::HugePages) into anonymous memory
// the kernel may back with 2 MiB pages: a decode step streams every weight, and on the page
// cache's 4 KiB pages the CPU's stream prefetcher stops at every page and each page costs a TLB
// walk (bench_inference --read-bandwidth: 21 against 36 GB/s on 2 threads). The process holds the
// same bytes either way: the page cache's copy is not mapped, so it is not in the process's RSS.

#include <cstddef>
#include <string>
#include <string_view>

namespace thinkbench::core {

enum class Residency {
    Mapped,    // the page cache's pages, mapped: read when touched, released after copies
    HugePages, // read into anonymous memory at once, on huge pages where the kernel has them
};

class MappedFile {
public:
    // Throws core::Error naming the file when it cannot be opened, is not a regular file or
    // cannot be mapped or read. An empty file maps to an empty view.
    explicit MappedFile(const std::string& path, Residency residency = Residency::Mapped);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return path_; }
    const char* data() const { return data_; }
    size_t size() const { return size_; }
    std::string_view bytes() const { return {data_, size_}; }
    // Drops the whole pages of [begin, begin + bytes) from this process's memory once they are copied
    // out (a later read maps them in again), so reading a file into tensors holds one copy, not two.
    // Does nothing for Residency::HugePages, whose pages hold the only copy.
    void release(const char* begin, size_t bytes) const;

private:
    void readIntoHugePages(int fd);

    std::string path_;
    Residency residency_;
    const char* data_ = nullptr;
    size_t size_ = 0;
    void* mapping_ = nullptr; // what munmap takes: data_ may sit above it, aligned to a huge page
    size_t mappingSize_ = 0;
};

} // namespace thinkbench::core
