#include "core/gguf/gguf_writer.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/gguf/quantize.h"

#include <torch/torch.h>

#include <ostream>
#include <sstream>
#include <string_view>

namespace thinkbench::core {

namespace {

constexpr uint64_t kAlignment = 32; // GGUF's default: no general.alignment key needed

template <typename T> void put(std::ostream& out, T value)
{
    out.write(reinterpret_cast<const char*>(&value), sizeof value); // little-endian hosts only
}

void putString(std::ostream& out, std::string_view s)
{
    put<uint64_t>(out, s.size());
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

void putInteger(std::ostream& out, GgufValueType type, int64_t value)
{
    switch (type) {
    case GgufValueType::Uint8:
    case GgufValueType::Bool:
        put<uint8_t>(out, static_cast<uint8_t>(value));
        break;
    case GgufValueType::Int8:
        put<int8_t>(out, static_cast<int8_t>(value));
        break;
    case GgufValueType::Uint16:
        put<uint16_t>(out, static_cast<uint16_t>(value));
        break;
    case GgufValueType::Int16:
        put<int16_t>(out, static_cast<int16_t>(value));
        break;
    case GgufValueType::Uint32:
        put<uint32_t>(out, static_cast<uint32_t>(value));
        break;
    case GgufValueType::Int32:
        put<int32_t>(out, static_cast<int32_t>(value));
        break;
    case GgufValueType::Uint64:
        put<uint64_t>(out, static_cast<uint64_t>(value));
        break;
    default: // Int64; callers pass integer types only
        put<int64_t>(out, value);
        break;
    }
}

void putReal(std::ostream& out, GgufValueType type, double value)
{
    if (type == GgufValueType::Float32)
        put<float>(out, static_cast<float>(value));
    else
        put<double>(out, value);
}

void putArray(std::ostream& out, const GgufArray& array)
{
    const GgufValueType type = array.elementType();
    put<uint32_t>(out, static_cast<uint32_t>(type));
    put<uint64_t>(out, array.size());
    for (size_t i = 0; i < array.size(); ++i) {
        if (type == GgufValueType::String)
            putString(out, array.string(i));
        else if (type == GgufValueType::Array)
            putArray(out, array.array(i));
        else if (isRealType(type))
            putReal(out, type, array.real(i));
        else
            putInteger(out, type, array.integer(i));
    }
}

void putValue(std::ostream& out, const GgufValue& v)
{
    if (v.type == GgufValueType::String)
        putString(out, v.text);
    else if (v.type == GgufValueType::Array)
        putArray(out, v.array);
    else if (isRealType(v.type))
        putReal(out, v.type, v.real);
    else
        putInteger(out, v.type, v.integer);
}

} // namespace

GgufValue ggufString(std::string text)
{
    GgufValue v;
    v.type = GgufValueType::String;
    v.text = std::move(text);
    return v;
}

GgufValue ggufUint32(int64_t value)
{
    GgufValue v;
    v.type = GgufValueType::Uint32;
    v.integer = value;
    return v;
}

GgufValue ggufFloat32(double value)
{
    GgufValue v;
    v.type = GgufValueType::Float32;
    v.real = static_cast<float>(value);
    return v;
}

GgufValue ggufBool(bool value)
{
    GgufValue v;
    v.type = GgufValueType::Bool;
    v.integer = value;
    return v;
}

GgufValue ggufArray(GgufArray items)
{
    GgufValue v;
    v.type = GgufValueType::Array;
    v.array = std::move(items);
    return v;
}

void writeTensor(std::ostream& out, const at::Tensor& tensor, GgmlType type)
{
    const int64_t cols = tensor.dim() == 0 ? 1 : tensor.size(-1);
    const at::Tensor rows = tensor.numel() == 0 ? tensor : tensor.reshape({-1, cols});
    writeTensorRows(
        out, tensor.numel() == 0 ? 0 : rows.size(0), cols,
        [&rows](int64_t first, int64_t count) { return rows.narrow(0, first, count); }, type);
}

void writeTensorRows(std::ostream& out, int64_t rows, int64_t cols, const RowReader& read, GgmlType type)
{
    const GgmlTypeTraits& traits = *ggmlTypeTraits(static_cast<uint32_t>(type));
    const bool quantized =
        type == GgmlType::Q8_0 || type == GgmlType::Q5_0 || type == GgmlType::Q4_K || type == GgmlType::Q6_K;
    const std::optional<at::ScalarType> stored = elementDtype(type);
    if (!quantized && !stored)
        throw Error("", "", "cannot write tensors as " + ggmlTypeName(static_cast<uint32_t>(type)));
    if (quantized && cols % traits.blockElements != 0)
        throw Error("", traits.name,
                    "rows of " + std::to_string(cols) + " are not whole blocks of " +
                        std::to_string(traits.blockElements));
    const at::ScalarType dtype = quantized ? at::kFloat : *stored;
    // In pieces of rows of about 16 MiB in f32: a bf16 or f16 tensor is never widened whole, and
    // what is written is never held whole.
    const int64_t piece = std::max<int64_t>(1, (int64_t{4} << 20) / std::max<int64_t>(1, cols));
    for (int64_t r = 0; r < rows; r += piece) {
        const at::Tensor x = read(r, std::min(piece, rows - r)).to(at::kCPU).to(dtype).contiguous();
        if (quantized) {
            const std::string blocks = quantize(type, x.data_ptr<float>(), x.numel(), r * cols);
            out.write(blocks.data(), static_cast<std::streamsize>(blocks.size()));
        } else {
            out.write(static_cast<const char*>(x.data_ptr()), static_cast<std::streamsize>(x.nbytes()));
        }
    }
}

std::string encodeTensor(const at::Tensor& tensor, GgmlType type)
{
    std::ostringstream out;
    writeTensor(out, tensor, type);
    return std::move(out).str();
}

void GgufWriter::add(const std::string& key, GgufValue value)
{
    metadata_.emplace_back(key, std::move(value));
}

void GgufWriter::addTensor(const std::string& name, GgmlType type, std::vector<int64_t> shape, std::string bytes)
{
    addTensor({name, type, std::move(shape), 0, std::move(bytes), {}});
}

void GgufWriter::addTensor(const std::string& name, GgmlType type, std::vector<int64_t> shape, Encode encode)
{
    addTensor({name, type, std::move(shape), 0, {}, std::move(encode)});
}

void GgufWriter::addTensor(Tensor t)
{
    const GgmlTypeTraits* traits = ggmlTypeTraits(static_cast<uint32_t>(t.type));
    if (traits == nullptr)
        throw Error("", "tensor " + t.name, "unknown type " + ggmlTypeName(static_cast<uint32_t>(t.type)));
    const int64_t row = t.shape.empty() ? 1 : t.shape.back();
    if (row % traits->blockElements != 0)
        throw Error("", "tensor " + t.name,
                    "rows of " + std::to_string(row) + " are not whole " + traits->name + " blocks of " +
                        std::to_string(traits->blockElements));
    int64_t elements = 1;
    for (int64_t d : t.shape)
        elements *= d;
    t.size = elements / traits->blockElements * traits->blockBytes;
    if (!t.encode && static_cast<int64_t>(t.bytes.size()) != t.size)
        throw Error("", "tensor " + t.name,
                    std::to_string(t.bytes.size()) + " bytes where its type and shape take " + std::to_string(t.size));
    tensors_.push_back(std::move(t));
}

void GgufWriter::write(const std::string& path, const Progress& progress) const
{
    std::ostringstream header;
    put<uint32_t>(header, 0x46554747); // "GGUF"
    put<uint32_t>(header, 3);
    put<uint64_t>(header, tensors_.size());
    put<uint64_t>(header, metadata_.size());
    for (const auto& [key, value] : metadata_) {
        putString(header, key);
        put<uint32_t>(header, static_cast<uint32_t>(value.type));
        putValue(header, value);
    }
    auto padding = [](uint64_t size) { return std::string((kAlignment - size % kAlignment) % kAlignment, '\0'); };
    uint64_t offset = 0;
    int64_t total = 0;
    for (const Tensor& t : tensors_) {
        putString(header, t.name);
        put<uint32_t>(header, static_cast<uint32_t>(t.shape.size()));
        for (auto d = t.shape.rbegin(); d != t.shape.rend(); ++d) // innermost first
            put<uint64_t>(header, static_cast<uint64_t>(*d));
        put<uint32_t>(header, static_cast<uint32_t>(t.type));
        put<uint64_t>(header, offset);
        offset += t.size + padding(t.size).size();
        total += t.size;
    }
    header << padding(static_cast<uint64_t>(header.tellp()));
    writeFileAtomically(path, [&](std::ostream& out) {
        out << header.str();
        int64_t written = 0;
        for (const Tensor& t : tensors_) {
            const std::streamoff start = out.tellp();
            if (t.encode)
                t.encode(out);
            else
                out.write(t.bytes.data(), static_cast<std::streamsize>(t.bytes.size()));
            if (!out)
                return; // a write failed (a full disk): writeFileAtomically says why
            const int64_t size = out.tellp() - start;
            if (size != t.size)
                throw Error(path, "tensor " + t.name,
                            "encoded to " + std::to_string(size) + " bytes where its type and shape take " +
                                std::to_string(t.size));
            out << padding(static_cast<uint64_t>(size));
            written += t.size;
            if (progress)
                progress(written, total, t.name);
        }
    });
}

} // namespace thinkbench::core
