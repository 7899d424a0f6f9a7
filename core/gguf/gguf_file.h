#pragma once
// A GGUF file (llama.cpp's model format): a header, metadata key/values of thirteen value types
// (arrays nest), tensor infos, and the aligned tensor data. Read through mmap; every count, length,
// dimension and offset is checked against the bytes that remain before anything is allocated or
// read, so a damaged or hostile file is a core::Error naming the file and the key or tensor.

#include "core/gguf/gguf_types.h"
#include "core/gguf/gguf_value.h"
#include "core/mapped_file.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

struct GgufTensorInfo {
    std::string name;
    uint32_t type = 0;              // a supported GgmlType
    std::vector<int64_t> shape;     // outermost first (torch order; GGUF stores it innermost first)
    uint64_t offset = 0, bytes = 0; // in the data section
    int64_t elements() const;
};

struct GgufHeader {
    uint32_t version = 0;
    uint64_t alignment = 32;
    uint64_t dataStart = 0; // where the data section begins in the file
    std::map<std::string, GgufValue> metadata;
    std::vector<GgufTensorInfo> tensors; // in file order
};

// file: the whole file's bytes; path names it in errors. Tensors of types dequantize() does not
// read are errors too, naming the tensor and its type.
GgufHeader parseGguf(std::string_view file, const std::string& path);

// A path that names a GGUF file rather than a model folder: a regular file ending in ".gguf".
bool isGgufPath(const std::string& path);

// The torch dtype of the types stored element by element (F32, F16, BF16), which torch reads as they
// lie; nullopt for the block types, which dequantize() decodes.
std::optional<at::ScalarType> elementDtype(GgmlType type);

class GgufFile {
public:
    // Maps the file (MappedFile's Residency::Mapped). Throws core::Error naming the file.
    explicit GgufFile(const std::string& path);
    // Reads the file again into memory on huge pages (Residency::HugePages), but for the tensors
    // named in `leftMapped` (by their GGUF names), which stay the page cache's pages; see MappedFile.
    // For a model that computes with the bytes in place; call it before anything reads in place, as
    // what was read before keeps the first mapping. An error if the header changed in between.
    void readIntoHugePages(const std::set<std::string>& leftMapped);

    const std::string& path() const { return file_->path(); }
    const GgufHeader& header() const { return header_; }
    const std::vector<GgufTensorInfo>& tensors() const { return header_.tensors; }
    const GgufTensorInfo* findTensor(const std::string& name) const;

    // Metadata by key: nullptr when absent. The typed reads throw core::Error naming the file and
    // the key when it is absent or of another type.
    const GgufValue* find(const std::string& key) const;
    int64_t integer(const std::string& key) const;
    double number(const std::string& key) const;
    const std::string& string(const std::string& key) const;
    // elementType: of integers, an array of any integer type will do (writers differ: token types
    // as int32 or uint8).
    const GgufArray& array(const std::string& key, GgufValueType elementType) const;

    // A tensor's stored bytes in the mapping (t.bytes of them), valid while this object or
    // mapping() lives.
    const uint8_t* tensorData(const GgufTensorInfo& t) const;
    // The file's bytes, and only them: what reads tensors in place holds this, so the parsed
    // metadata (a vocabulary's tokens and merges, several MB) goes once the load is done. Its
    // release() gives back the page cache's pages of what has been checked or copied out.
    std::shared_ptr<const MappedFile> mapping() const { return file_; }
    // The tensor on the CPU: F32, F16 and BF16 as stored, the quantized types dequantized to f32.
    // outer >= 0: only that slice of the outermost dimension (one expert of a stacked tensor).
    at::Tensor tensor(const std::string& name, int64_t outer = -1) const;

private:
    std::shared_ptr<const MappedFile> file_;
    GgufHeader header_;
    std::map<std::string, size_t, std::less<>> index_; // tensor name -> header_.tensors
};

} // namespace thinkbench::core
