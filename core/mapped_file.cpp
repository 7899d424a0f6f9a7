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

MappedFile::~MappedFile()
{
    if (data_)
        munmap(const_cast<char*>(data_), size_);
}

} // namespace thinkbench::core
