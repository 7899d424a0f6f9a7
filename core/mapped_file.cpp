#include "core/mapped_file.h"

#include "core/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace thinkbench::core {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// The descriptor is only needed while the constructor maps or reads the file: closed on every way out.
struct OpenFile {
    explicit OpenFile(const std::string& path)
        : fd(::open(path.c_str(), O_RDONLY))
    {
    }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile()
    {
        if (fd >= 0)
            ::close(fd);
    }
    const int fd;
};

} // namespace

MappedFile::MappedFile(const std::string& path, Residency residency, const std::vector<ByteRange>& leftMapped)
    : path_(path)
{
    const OpenFile file(path);
    if (file.fd < 0)
        throw Error(path, "", "cannot open");
    struct stat st {};
    if (fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(path, "", "not a regular file");
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0)
        return;
    if (residency == Residency::HugePages) {
        readIntoHugePages(file.fd, leftMapped);
        return;
    }
    mapping_ = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (mapping_ == MAP_FAILED) {
        mapping_ = nullptr;
        throw Error(path, "", "cannot map the file");
    }
    mappingSize_ = size_;
    data_ = static_cast<const char*>(mapping_);
    pageCacheRanges_ = {{0, size_}};
}

void MappedFile::readIntoHugePages(int fd, const std::vector<ByteRange>& leftMapped)
{
    // A huge page must start on a 2 MiB boundary: map one more and start there.
    mappingSize_ = (size_ + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
    mapping_ = mmap(nullptr, mappingSize_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping_ == MAP_FAILED) {
        mapping_ = nullptr;
        throw Error(path_, "", "cannot allocate " + std::to_string(size_) + " bytes to read the file into");
    }
    const auto start = (reinterpret_cast<uintptr_t>(mapping_) + kHugePage - 1) / kHugePage * kHugePage;
    char* target = reinterpret_cast<char*>(start);
    madvise(target, size_, MADV_HUGEPAGE); // a hint: without it (or without THP) 4 KiB pages serve
    data_ = target;
    try {
        // The file's pages over the copy: target is page-aligned, so file offset o maps at target + o.
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        for (const ByteRange& r : leftMapped) {
            const size_t from = (r.begin + page - 1) / page * page, to = std::min(r.end, size_) / page * page;
            if (to <= from)
                continue;
            if (mmap(target + from, to - from, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, static_cast<off_t>(from)) ==
                MAP_FAILED)
                throw Error(path_, "byte " + std::to_string(from), "cannot map the file");
            madvise(target + from, to - from, MADV_RANDOM); // lookups land anywhere: no readahead
            pageCacheRanges_.push_back({from, to});
        }
        std::sort(pageCacheRanges_.begin(), pageCacheRanges_.end(),
                  [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
        size_t done = 0;
        for (const ByteRange& mapped : pageCacheRanges_) {
            readRange(fd, target, done, std::max(done, mapped.begin));
            done = std::max(done, mapped.end);
        }
        readRange(fd, target, done, size_);
    } catch (...) {
        munmap(mapping_, mappingSize_);
        mapping_ = nullptr;
        data_ = nullptr;
        throw;
    }
    mprotect(mapping_, mappingSize_, PROT_READ); // read-only, like the mapped file
}

void MappedFile::readRange(int fd, char* target, size_t from, size_t to)
{
    for (size_t done = from; done < to;) {
        const ssize_t n = pread(fd, target + done, to - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw Error(path_, "byte " + std::to_string(done),
                        "cannot read the file: " + std::string(n < 0 ? std::strerror(errno) : "the file ended early"));
        done += static_cast<size_t>(n);
    }
}

std::shared_ptr<const MappedFile> MappedFile::readAgainIntoHugePages(const std::vector<ByteRange>& leftMapped,
                                                                     size_t headerBytes) const
{
    auto copy = std::make_shared<const MappedFile>(path_, Residency::HugePages, leftMapped);
    if (copy->size() != size_ || std::memcmp(copy->data(), data_, std::min(headerBytes, size_)) != 0)
        throw Error(path_, "header", "the file changed while it was being read");
    return copy;
}

void MappedFile::release(const char* begin, size_t bytes) const
{
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto base = reinterpret_cast<uintptr_t>(data_), first = reinterpret_cast<uintptr_t>(begin);
    for (const ByteRange& r : pageCacheRanges_) {
        const uintptr_t from = std::max((first + page - 1) / page * page, base + r.begin);
        const uintptr_t to = std::min((first + bytes) / page * page, base + r.end);
        if (to > from)
            madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
    }
}

MappedFile::~MappedFile()
{
    if (mapping_)
        munmap(mapping_, mappingSize_);
}

} // namespace thinkbench::core
