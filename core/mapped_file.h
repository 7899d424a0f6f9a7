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
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

enum class Residency {
    Mapped,    // the page cache's pages, mapped: read when touched, released after copies
    HugePages, // read into anonymous memory at once, on huge pages where the kernel has them
};

struct ByteRange {
    size_t begin = 0, end = 0; // [begin, end) in the file
};

class MappedFile {
public:
    // Throws core::Error naming the file when it cannot be opened, is not a regular file or
    // cannot be mapped or read. An empty file maps to an empty view. With Residency::HugePages the
    // whole pages of the `leftMapped` ranges are not read but mapped from the page cache in their
    // place: a table of which a run reads a few rows (an untied model's token embedding) then holds
    // only those rows' pages in this process's memory, not the whole table.
    explicit MappedFile(const std::string& path, Residency residency = Residency::Mapped,
                        const std::vector<ByteRange>& leftMapped = {});
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return path_; }
    const char* data() const { return data_; }
    size_t size() const { return size_; }
    std::string_view bytes() const { return {data_, size_}; }
    // The same file read again, onto huge pages (Residency::HugePages, leftMapped as there), for a
    // reader that parsed its first `headerBytes` from this mapping: an error naming the file if
    // those bytes changed in between.
    std::shared_ptr<const MappedFile> readAgainIntoHugePages(const std::vector<ByteRange>& leftMapped,
                                                             size_t headerBytes) const;
    // Drops the whole pages of [begin, begin + bytes) that are the page cache's (all of a Mapped file,
    // the leftMapped ranges of a HugePages one) from this process's memory once they are copied out
    // or checked (a later read maps them in again): reading a file into tensors holds one copy, not
    // two. Anything else, such as the copy of a HugePages file that holds the only one, is untouched.
    void release(const char* begin, size_t bytes) const;

private:
    void readIntoHugePages(int fd, const std::vector<ByteRange>& leftMapped);
    void readRange(int fd, char* target, size_t from, size_t to); // bytes [from, to) to target + from

    std::string path_;
    const char* data_ = nullptr;
    size_t size_ = 0;
    void* mapping_ = nullptr; // what munmap takes: data_ may sit above it, aligned to a huge page
    size_t mappingSize_ = 0;
    std::vector<ByteRange> pageCacheRanges_; // page-aligned: what release() may drop
};

} // namespace thinkbench::core
