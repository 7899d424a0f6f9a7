#include "core/model/safetensors.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace thinkbench::core {

namespace {

size_t dtypeSize(const std::string& dtype)
{
    if (dtype == "F32" || dtype == "I32")
        return 4;
    if (dtype == "F16" || dtype == "BF16")
        return 2;
    if (dtype == "I64" || dtype == "F64")
        return 8;
    if (dtype == "U8" || dtype == "I8" || dtype == "BOOL")
        return 1;
    return 0;
}

at::ScalarType scalarType(const std::string& dtype)
{
    if (dtype == "F32")
        return at::kFloat;
    if (dtype == "F16")
        return at::kHalf;
    if (dtype == "BF16")
        return at::kBFloat16;
    if (dtype == "I64")
        return at::kLong;
    if (dtype == "I32")
        return at::kInt;
    if (dtype == "F64")
        return at::kDouble;
    if (dtype == "U8")
        return at::kByte;
    if (dtype == "I8")
        return at::kChar;
    return at::kBool;
}

std::string dtypeName(at::ScalarType type)
{
    switch (type) {
    case at::kFloat:
        return "F32";
    case at::kHalf:
        return "F16";
    case at::kBFloat16:
        return "BF16";
    case at::kLong:
        return "I64";
    case at::kInt:
        return "I32";
    case at::kDouble:
        return "F64";
    default:
        throw Error("", "", "cannot write tensors of this dtype to safetensors");
    }
}

} // namespace

SafetensorsHeader parseSafetensorsHeader(std::string_view file, const std::string& path)
{
    if (file.size() < 8)
        throw Error(path, "header", "file too short for a safetensors header");
    const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
    uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i)
        headerSize = (headerSize << 8) | bytes[i];
    if (headerSize > file.size() - 8)
        throw Error(path, "header",
                    "header length " + std::to_string(headerSize) + " runs past the end of the file (" +
                        std::to_string(file.size()) + " bytes)");
    SafetensorsHeader out;
    out.dataStart = 8 + headerSize;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(file.substr(8, headerSize));
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number too large
        throw Error(path, "header", std::string("invalid JSON: ") + e.what());
    }
    if (!header.is_object())
        throw Error(path, "header", "must be a JSON object of tensor name -> entry");
    const size_t dataSize = file.size() - out.dataStart;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__")
            continue;
        const std::string place = "tensor " + it.key();
        const auto& v = it.value();
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            throw Error(path, place, "needs dtype, shape and data_offsets");
        const auto& dtype = v["dtype"];
        const auto& shape = v["shape"];
        const auto& offsets = v["data_offsets"];
        if (!dtype.is_string())
            throw Error(path, place, "dtype must be a string");
        TensorEntry e;
        e.dtype = dtype.get<std::string>();
        if (dtypeSize(e.dtype) == 0)
            throw Error(path, place, "unsupported dtype " + e.dtype);
        if (!shape.is_array())
            throw Error(path, place, "shape must be a list of dimensions");
        // The byte count is checked in 64 bits without wrapping: a shape whose product overflows
        // would otherwise pass as a small tensor and be read far past the data.
        uint64_t bytesNeeded = dtypeSize(e.dtype);
        for (const auto& d : shape) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                throw Error(path, place, "dimensions must be non-negative integers");
            e.shape.push_back(d.get<int64_t>());
            if (__builtin_mul_overflow(bytesNeeded, static_cast<uint64_t>(e.shape.back()), &bytesNeeded))
                throw Error(path, place, "shape too large");
        }
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            throw Error(path, place, "data_offsets must be two non-negative integers");
        e.begin = offsets[0].get<uint64_t>();
        e.end = offsets[1].get<uint64_t>();
        if (e.begin > e.end || e.end > dataSize)
            throw Error(path, place, "data_offsets outside the file's " + std::to_string(dataSize) + " data bytes");
        if (bytesNeeded != e.end - e.begin)
            throw Error(path, place, "byte range does not match shape and dtype");
        out.entries.emplace(it.key(), std::move(e));
    }
    return out;
}

std::vector<std::string> parseSafetensorsIndex(std::string_view json, const std::string& path)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number too large
        throw Error(path, "", std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(path, "weight_map", "missing");
    std::vector<std::string> shards;
    for (auto& [name, file] : j["weight_map"].items()) {
        if (!file.is_string())
            throw Error(path, "weight_map." + name, "must name a shard file");
        const std::string shard = file.get<std::string>();
        if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos)
            throw Error(path, "weight_map." + name, "\"" + shard + "\" is not a file name in the model folder");
        if (std::find(shards.begin(), shards.end(), shard) == shards.end())
            shards.push_back(shard);
    }
    return shards;
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : file_(std::make_shared<const MappedFile>(path))
{
    if (file_->size() < 8)
        throw Error(path, "header", "file too short for a safetensors header");
    SafetensorsHeader header = parseSafetensorsHeader(file_->bytes(), path);
    dataStart_ = header.dataStart;
    entries_ = std::move(header.entries);
}

void SafetensorsFile::readIntoHugePages(const std::set<std::string>& leftMapped)
{
    std::vector<ByteRange> ranges;
    for (const std::string& name : leftMapped)
        if (auto it = entries_.find(name); it != entries_.end())
            ranges.push_back({dataStart_ + it->second.begin, dataStart_ + it->second.end});
    file_ = file_->readAgainIntoHugePages(ranges, dataStart_);
}

const TensorEntry& SafetensorsFile::checkedEntry(const std::string& name) const
{
    auto it = entries_.find(name);
    if (it == entries_.end())
        throw Error(path(), "tensor " + name, "not in the file");
    return it->second;
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const
{
    const TensorEntry& e = checkedEntry(name);
    auto* data = const_cast<char*>(file_->data()) + dataStart_ + e.begin; // cloned before anyone writes
    at::Tensor copy = at::from_blob(data, e.shape, at::TensorOptions().dtype(scalarType(e.dtype))).clone();
    file_->release(data, e.end - e.begin);
    return copy;
}

at::Tensor SafetensorsFile::view(const std::string& name) const
{
    const TensorEntry& e = checkedEntry(name);
    const char* data = file_->data() + dataStart_ + e.begin;
    if (reinterpret_cast<uintptr_t>(data) % dtypeSize(e.dtype) != 0)
        return tensor(name);
    // The deleter holds the mapping; nothing writes through the pointer (the tensor is read-only).
    return at::from_blob(
        const_cast<char*>(data), e.shape, [file = file_](void*) {}, at::TensorOptions().dtype(scalarType(e.dtype)));
}

std::optional<QuantizedMatrix> SafetensorsFile::quantized(const std::string& name, at::ScalarType dtype) const
{
    const TensorEntry& e = checkedEntry(name);
    if ((e.dtype != "BF16" && e.dtype != "F16") || e.shape.size() != 2)
        return std::nullopt;
    const GgmlType type = e.dtype == "BF16" ? GgmlType::BF16 : GgmlType::F16;
    const char* data = file_->data() + dataStart_ + e.begin;
    if (!keptQuantized(type, dtype) || reinterpret_cast<uintptr_t>(data) % 2 != 0)
        return std::nullopt;
    return QuantizedMatrix{type, e.shape[0], e.shape[1], reinterpret_cast<const uint8_t*>(data), file_};
}

CheckpointReader::CheckpointReader(const std::string& dir)
{
    namespace fs = std::filesystem;
    const fs::path single = fs::path(dir) / "model.safetensors";
    const fs::path index = fs::path(dir) / "model.safetensors.index.json";
    std::vector<std::string> shards;
    if (fs::exists(index)) {
        std::ifstream in(index, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        shards = parseSafetensorsIndex(text.str(), index.string());
    } else if (fs::exists(single)) {
        shards.push_back("model.safetensors");
    } else {
        throw Error(dir, "", "no model.safetensors or model.safetensors.index.json in this folder");
    }
    for (const auto& shard : shards) {
        const fs::path file = fs::path(dir) / shard;
        if (!fs::exists(file))
            throw Error(file.string(), "", "missing: model.safetensors.index.json names it as a shard");
        files_.push_back(std::make_unique<SafetensorsFile>(file.string()));
        for (const auto& [name, entry] : files_.back()->entries())
            where_[name] = files_.size() - 1;
    }
}

void CheckpointReader::readIntoHugePages(const std::set<std::string>& leftMapped)
{
    for (const auto& file : files_)
        file->readIntoHugePages(leftMapped);
}

std::shared_ptr<const MappedFile> CheckpointReader::mappingOf(const std::string& name) const
{
    return files_[where_.at(name)]->mapping();
}

std::vector<std::string> CheckpointReader::names() const
{
    std::vector<std::string> out;
    for (const auto& [name, file] : where_)
        out.push_back(name);
    return out;
}

const TensorEntry& CheckpointReader::entry(const std::string& name) const
{
    return files_[where_.at(name)]->entries().at(name);
}

at::Tensor CheckpointReader::tensor(const std::string& name) const
{
    return files_[where_.at(name)]->tensor(name);
}

at::Tensor CheckpointReader::view(const std::string& name) const
{
    return files_[where_.at(name)]->view(name);
}

std::optional<QuantizedMatrix> CheckpointReader::quantized(const std::string& name, at::ScalarType dtype) const
{
    return files_[where_.at(name)]->quantized(name, dtype);
}

std::string CheckpointReader::fileOf(const std::string& name) const
{
    return files_[where_.at(name)]->path();
}

void writeSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors)
{
    nlohmann::json header = {{"__metadata__", {{"format", "pt"}}}};
    std::vector<at::Tensor> data;
    size_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
        const size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
        header[name] = {{"dtype", dtypeName(t.scalar_type())},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(t);
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' '); // keeps the data 8-byte aligned
    // A kill or a full disk never leaves half a checkpoint.
    writeFileAtomically(path, [&](std::ostream& out) {
        uint64_t n = text.size();
        for (int i = 0; i < 8; ++i)
            out.put(static_cast<char>((n >> (8 * i)) & 0xff));
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : data)
            out.write(static_cast<const char*>(t.data_ptr()),
                      static_cast<std::streamsize>(t.numel() * t.element_size()));
    });
}

} // namespace thinkbench::core
