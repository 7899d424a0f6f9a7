#pragma once
// What the fuzz targets share: one input cut into the files of a multi-file format, and a scratch
// folder for the entry points that only take a path (a model or tokenizer folder, a SQLite file).

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace thinkbench::fuzz {

// Parts are separated by a line "%%": "{...}\n%%\n{...}" is two parts. Seeds carry the separator,
// so mutations keep the parts apart.
inline std::vector<std::string_view> splitParts(const uint8_t* data, size_t size)
{
    constexpr std::string_view separator = "\n%%\n";
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> parts;
    for (size_t at; (at = rest.find(separator)) != std::string_view::npos;) {
        parts.push_back(rest.substr(0, at));
        rest.remove_prefix(at + separator.size());
    }
    parts.push_back(rest);
    return parts;
}

// A folder of this process (in memory where /dev/shm exists), removed at exit.
class ScratchFolder {
public:
    ScratchFolder()
    {
        const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                               : std::filesystem::temp_directory_path();
        path_ = base / ("thinkbench-fuzz-" + std::to_string(getpid()));
        std::filesystem::create_directories(path_);
    }
    ~ScratchFolder() { std::filesystem::remove_all(path_); }

    // Writes a file of the folder, replacing what was there; returns its path.
    std::string write(const std::string& name, std::string_view bytes) const
    {
        const std::filesystem::path file = path_ / name;
        std::ofstream(file, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
        return file.string();
    }
    std::string path() const { return path_.string(); }
    void clear() const
    {
        for (const auto& entry : std::filesystem::directory_iterator(path_))
            std::filesystem::remove_all(entry.path());
    }

private:
    std::filesystem::path path_;
};

} // namespace thinkbench::fuzz
