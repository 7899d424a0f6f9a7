#pragma once
// What of a mapped file this process holds in memory, read from /proc/self/smaps: for the tests of
// loads and exports that give a file's pages back (core::MappedFile::release).

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

namespace thinkbench::tests {

// The bytes resident in this process (smaps' Rss) of the mapping of the file `path` that holds
// `address`; -1 where none does (the address lies in anonymous memory or another file's mapping).
inline int64_t residentInFileMapping(uintptr_t address, const std::string& path)
{
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool holds = false;
    while (std::getline(smaps, line)) {
        unsigned long from = 0, to = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &from, &to) == 2) { // a mapping's first line ends in its file
            holds = address >= from && address < to && line.size() >= path.size() &&
                    line.compare(line.size() - path.size(), path.size(), path) == 0;
        } else if (holds && line.rfind("Rss:", 0) == 0) {
            return std::stoll(line.substr(4)) * 1024;
        }
    }
    return -1;
}

} // namespace thinkbench::tests
