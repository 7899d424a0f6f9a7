#pragma once
// Writing a file so that a kill, a power cut or a full disk leaves the old file or the new one,
// never part of one: the bytes go to PATH.tmp, are flushed to the disk (fsync), renamed over
// PATH, and the folder is flushed so the rename itself survives.

#include <filesystem>
#include <functional>
#include <ostream>

namespace thinkbench::core {

// Throws core::Error naming path, with the system's reason (e.g. "No space left on device"), when
// any step fails; the temporary file is removed and path is left as it was.
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

} // namespace thinkbench::core
