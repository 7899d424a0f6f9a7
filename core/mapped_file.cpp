#include "core/mapped_file.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace thinkbench::core {

MappedFile::MappedFile(const std::string& path)
    : path_(path)
{
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        throw Error(path, "", "cannot open");
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(path, "", "not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    void* map = size_ > 0 ? mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
    ::close(fd);
    if (map == MAP_FAILED)
        throw Error(path, "", "cannot map the file");
    data_ = static_cast<const char*>(map);
}

void MappedFile::release(const char* begin, size_t bytes) const
{
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t from = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
    const uintptr_t to = (reinterpret_cast<uintptr_t>(begin) + bytes) / page * page;
    if (to > from)
        madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

MappedFile::~MappedFile()
{
    if (data_)
        munmap(const_cast<char*>(data_), size_);
}

} // namespace thinkbench::core
