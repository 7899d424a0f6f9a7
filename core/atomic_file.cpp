#include "core/atomic_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace thinkbench::core {

namespace {

// fsync of a file or folder; false with errno set when it fails.
bool flushToDisk(const std::filesystem::path& path, int flags)
{
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    errno = error;
    return ok;
}

} // namespace

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write)
{
    const std::filesystem::path tmp = path.string() + ".tmp";
    auto fail = [&](const std::string& what) {
        const std::string reason = errno ? std::strerror(errno) : "I/O error";
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw Error(path.string(), "", what + ": " + reason);
    };
    errno = 0;
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            fail("cannot create " + tmp.filename().string());
        try {
            write(out);
        } catch (...) {
            out.close();
            std::filesystem::remove(tmp);
            throw;
        }
        out.close(); // buffered bytes reach the file here: a full disk often shows only now
        if (out.fail())
            fail("cannot write");
    }
    if (!flushToDisk(tmp, O_RDONLY))
        fail("cannot flush to disk");
    std::error_code error;
    std::filesystem::rename(tmp, path, error);
    if (error) {
        errno = error.value();
        fail("cannot replace");
    }
    // The rename is durable once the folder is; a failure here loses nothing already written.
    flushToDisk(path.parent_path().empty() ? "." : path.parent_path(), O_RDONLY | O_DIRECTORY);
}

} // namespace thinkbench::core
