#pragma once
// safetensors: a JSON header (8-byte little-endian length first) naming each tensor's dtype, shape
// and byte range, then the raw data. Read through mmap; every header field is checked against the
// file size before any byte is used.

#include "core/mapped_file.h"
#include "core/quant/quantized_matrix.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

struct TensorEntry {
    std::string dtype; // F32 | F16 | BF16 | I64 | I32
    std::vector<int64_t> shape;
    size_t begin = 0; // byte range in the data section
    size_t end = 0;
};

// What a safetensors header says, every entry checked against the size of the file it heads.
struct SafetensorsHeader {
    size_t dataStart = 0; // where the data section begins
    std::map<std::string, TensorEntry> entries;
};
// file: the whole file's bytes; path names it in errors (core::Error, with the tensor).
SafetensorsHeader parseSafetensorsHeader(std::string_view file, const std::string& path);
// The shard files a model.safetensors.index.json names, each once, in the order first named;
// plain file names only, so an index never reaches outside its folder.
std::vector<std::string> parseSafetensorsIndex(std::string_view json, const std::string& path);

class SafetensorsFile {
public:
    // Maps the file (MappedFile's Residency::Mapped). Throws core::Error naming the file.
    explicit SafetensorsFile(const std::string& path);
    // As GgufFile::readIntoHugePages: the file read again onto huge pages but for the tensors named.
    void readIntoHugePages(const std::set<std::string>& leftMapped);
    std::shared_ptr<const MappedFile> mapping() const { return file_; } // as GgufFile::mapping

    const std::string& path() const { return file_->path(); }
    const std::map<std::string, TensorEntry>& entries() const { return entries_; }
    bool contains(const std::string& name) const { return entries_.count(name) > 0; }
    // A copy of the tensor in its stored dtype (CPU).
    at::Tensor tensor(const std::string& name) const;
    // The tensor over the mapped bytes, no copy: read-only (a write is a crash), and it keeps the file
    // mapped while it lives. A copy where the bytes are not aligned to the dtype.
    at::Tensor view(const std::string& name) const;
    // A 2-D F16 or BF16 tensor over the mapped bytes as a QuantizedMatrix, where keptQuantized() keeps
    // it for `dtype` (a bf16 projection in an f32 model runs the bf16 kernels, not a float copy);
    // nullopt otherwise, or where the bytes are not aligned to the dtype.
    std::optional<QuantizedMatrix> quantized(const std::string& name, at::ScalarType dtype) const;

private:
    const TensorEntry& checkedEntry(const std::string& name) const;

    std::shared_ptr<const MappedFile> file_;
    size_t dataStart_ = 0;
    std::map<std::string, TensorEntry> entries_;
};

// Every tensor of a model folder: model.safetensors, or the shards model.safetensors.index.json
// names. Tensors are read on demand.
class CheckpointReader {
public:
    explicit CheckpointReader(const std::string& dir);
    void readIntoHugePages(const std::set<std::string>& leftMapped);            // each file, see SafetensorsFile
    std::shared_ptr<const MappedFile> mappingOf(const std::string& name) const; // the shard's mapping
    std::vector<std::string> names() const;
    const TensorEntry& entry(const std::string& name) const;
    at::Tensor tensor(const std::string& name) const;
    at::Tensor view(const std::string& name) const; // see SafetensorsFile::view
    std::optional<QuantizedMatrix> quantized(const std::string& name, at::ScalarType dtype) const; // likewise
    bool contains(const std::string& name) const { return where_.count(name) > 0; }
    std::string fileOf(const std::string& name) const;

private:
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, size_t> where_;
};

// Writes tensors (contiguous CPU copies are made as needed) in name order.
void writeSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors);

} // namespace thinkbench::core
