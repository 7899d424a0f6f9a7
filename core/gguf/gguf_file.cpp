#include "core/gguf/gguf_file.h"

#include "core/error.h"
#include "core/gguf/dequantize.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace thinkbench::core {

namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" read as a little-endian uint32
constexpr int kMaxDims = 4;             // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 8;       // arrays of arrays nest; deeper is damage, not data
// Fewest bytes a metadata entry and a tensor info take: counts are checked against them, so no
// count in a header reserves more than the file could hold.
constexpr uint64_t kMinEntryBytes = 8 + 4 + 1;          // key length, value type, a one-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8; // name length, dims, type, offset

// Reads little-endian fields from the header, every read checked against the end of the file.
class Cursor {
public:
    Cursor(std::string_view file, const std::string& path)
        : file_(file)
        , path_(path)
    {
    }

    uint64_t remaining() const { return file_.size() - at_; }
    uint64_t position() const { return at_; }

    const uint8_t* take(uint64_t n, const std::string& place, const char* what)
    {
        if (n > remaining())
            throw Error(path_, place,
                        std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes at offset " +
                            std::to_string(at_) + ", the file has " + std::to_string(remaining()) + " left");
        const auto* p = reinterpret_cast<const uint8_t*>(file_.data()) + at_;
        at_ += n;
        return p;
    }
    template <typename T> T read(const std::string& place, const char* what)
    {
        const uint8_t* p = take(sizeof(T), place, what);
        T value;
        std::memcpy(&value, p, sizeof value); // GGUF is little-endian, as every supported host
        return value;
    }
    // A length-prefixed string, viewed in the file's bytes.
    std::string_view string(const std::string& place, const char* what)
    {
        const auto length = read<uint64_t>(place, what);
        if (length > remaining())
            throw Error(path_, place,
                        std::string(what) + " of " + std::to_string(length) + " bytes runs past the end of the file");
        const uint8_t* p = take(length, place, what);
        return std::string_view(reinterpret_cast<const char*>(p), length);
    }

private:
    std::string_view file_;
    const std::string& path_;
    uint64_t at_ = 0;
};

uint64_t minValueBytes(GgufValueType type)
{
    switch (type) {
    case GgufValueType::Uint8:
    case GgufValueType::Int8:
    case GgufValueType::Bool:
        return 1;
    case GgufValueType::Uint16:
    case GgufValueType::Int16:
        return 2;
    case GgufValueType::Uint32:
    case GgufValueType::Int32:
    case GgufValueType::Float32:
        return 4;
    case GgufValueType::Uint64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
    case GgufValueType::String: // its length
        return 8;
    case GgufValueType::Array: // element type and count
        return 12;
    }
    return 0;
}

int64_t readInteger(Cursor& in, GgufValueType type, const std::string& path, const std::string& place)
{
    switch (type) {
    case GgufValueType::Uint8:
        return in.read<uint8_t>(place, "a uint8");
    case GgufValueType::Int8:
        return in.read<int8_t>(place, "an int8");
    case GgufValueType::Uint16:
        return in.read<uint16_t>(place, "a uint16");
    case GgufValueType::Int16:
        return in.read<int16_t>(place, "an int16");
    case GgufValueType::Uint32:
        return in.read<uint32_t>(place, "a uint32");
    case GgufValueType::Int32:
        return in.read<int32_t>(place, "an int32");
    case GgufValueType::Uint64: {
        const auto u = in.read<uint64_t>(place, "a uint64");
        if (u > static_cast<uint64_t>(INT64_MAX))
            throw Error(path, place, "uint64 value " + std::to_string(u) + " is out of range");
        return static_cast<int64_t>(u);
    }
    case GgufValueType::Int64:
        return in.read<int64_t>(place, "an int64");
    case GgufValueType::Bool: {
        const auto b = in.read<uint8_t>(place, "a bool");
        if (b > 1)
            throw Error(path, place, "bool value " + std::to_string(b) + " is neither 0 nor 1");
        return b;
    }
    default:
        throw Error(path, place, "not an integer type"); // callers pass integer types only
    }
}

double readReal(Cursor& in, GgufValueType type, const std::string& place)
{
    return type == GgufValueType::Float32 ? in.read<float>(place, "a float32") : in.read<double>(place, "a float64");
}

GgufArray readArray(Cursor& in, const std::string& path, const std::string& place, int depth)
{
    if (depth >= kMaxArrayDepth)
        throw Error(path, place, "arrays nested deeper than " + std::to_string(kMaxArrayDepth));
    const auto element = in.read<uint32_t>(place, "an array's element type");
    if (element > static_cast<uint32_t>(GgufValueType::Float64))
        throw Error(path, place, "unknown array element type " + std::to_string(element));
    const auto type = static_cast<GgufValueType>(element);
    const auto count = in.read<uint64_t>(place, "an array's length");
    if (count > in.remaining() / minValueBytes(type))
        throw Error(path, place, "array of " + std::to_string(count) + " elements is longer than the rest of the file");
    GgufArray array(type);
    array.reserve(count);
    std::string elementPlace = place; // "place[i]", rewritten for each element
    for (uint64_t i = 0; i < count; ++i) {
        elementPlace.resize(place.size());
        elementPlace.append("[").append(std::to_string(i)).append("]");
        if (type == GgufValueType::String)
            array.addString(in.string(elementPlace, "a string"));
        else if (type == GgufValueType::Array)
            array.addArray(readArray(in, path, elementPlace, depth + 1));
        else if (isRealType(type))
            array.addReal(readReal(in, type, elementPlace));
        else
            array.addInteger(readInteger(in, type, path, elementPlace));
    }
    return array;
}

GgufValue readValue(Cursor& in, GgufValueType type, const std::string& path, const std::string& place)
{
    GgufValue v;
    v.type = type;
    if (type == GgufValueType::String)
        v.text = in.string(place, "a string");
    else if (type == GgufValueType::Array)
        v.array = readArray(in, path, place, 0);
    else if (isRealType(type))
        v.real = readReal(in, type, place);
    else
        v.integer = readInteger(in, type, path, place);
    return v;
}

GgufTensorInfo readTensorInfo(Cursor& in, const std::string& path, uint64_t index)
{
    GgufTensorInfo t;
    t.name = std::string(in.string("tensor " + std::to_string(index), "a tensor name"));
    const std::string place = "tensor " + t.name;
    const auto dims = in.read<uint32_t>(place, "the number of dimensions");
    if (dims > kMaxDims)
        throw Error(path, place, std::to_string(dims) + " dimensions (at most " + std::to_string(kMaxDims) + ")");
    int64_t elements = 1;
    std::vector<int64_t> innermostFirst;
    for (uint32_t d = 0; d < dims; ++d) {
        const auto n = in.read<uint64_t>(place, "a dimension");
        if (n > static_cast<uint64_t>(INT64_MAX) ||
            __builtin_mul_overflow(elements, static_cast<int64_t>(n), &elements))
            throw Error(path, place, "dimensions too large: " + std::to_string(n) + " overflows the element count");
        innermostFirst.push_back(static_cast<int64_t>(n));
    }
    t.shape.assign(innermostFirst.rbegin(), innermostFirst.rend());
    t.type = in.read<uint32_t>(place, "the tensor type");
    t.offset = in.read<uint64_t>(place, "the data offset");
    const GgmlTypeTraits* traits = ggmlTypeTraits(t.type);
    if (!traits)
        throw Error(path, place, "unknown tensor type " + std::to_string(t.type));
    if (!traits->supported)
        throw Error(path, place,
                    "tensor type " + std::string(traits->name) +
                        " is not supported (F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K)");
    const int64_t rowLength = innermostFirst.empty() ? 1 : innermostFirst[0];
    if (rowLength % traits->blockElements != 0)
        throw Error(path, place,
                    "rows of " + std::to_string(rowLength) + " elements are not whole " + traits->name + " blocks of " +
                        std::to_string(traits->blockElements));
    // elements < 2^63 and blockBytes <= 292 with blockElements >= 1: fits in 128 bits, checked into 64.
    const unsigned __int128 bytes =
        static_cast<unsigned __int128>(elements / traits->blockElements) * traits->blockBytes;
    if (bytes > in.remaining())
        throw Error(path, place, "needs more bytes than the file holds");
    t.bytes = static_cast<uint64_t>(bytes);
    return t;
}

uint64_t alignment(const std::map<std::string, GgufValue>& metadata, const std::string& path)
{
    auto it = metadata.find("general.alignment");
    if (it == metadata.end())
        return 32;
    const GgufValue& v = it->second;
    if (v.type != GgufValueType::Uint32 || v.integer == 0 || (v.integer & (v.integer - 1)) != 0)
        throw Error(path, "general.alignment", "must be a uint32 power of two");
    return static_cast<uint64_t>(v.integer);
}

} // namespace

int64_t GgufTensorInfo::elements() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

GgufHeader parseGguf(std::string_view file, const std::string& path)
{
    Cursor in(file, path);
    GgufHeader h;
    if (in.read<uint32_t>("header", "the magic number") != kMagic)
        throw Error(path, "header", "not a GGUF file (no GGUF magic number)");
    h.version = in.read<uint32_t>("header", "the version");
    if (h.version != 2 && h.version != 3)
        throw Error(path, "header",
                    "GGUF version " + std::to_string(h.version) + " is not supported (2 or 3, little-endian)");
    const auto tensorCount = in.read<uint64_t>("header", "the tensor count");
    const auto entryCount = in.read<uint64_t>("header", "the metadata count");
    if (entryCount > in.remaining() / kMinEntryBytes)
        throw Error(path, "header", std::to_string(entryCount) + " metadata entries cannot fit in the file");
    for (uint64_t i = 0; i < entryCount; ++i) {
        std::string key(in.string("metadata entry " + std::to_string(i), "a metadata key"));
        const auto type = in.read<uint32_t>(key, "the value type");
        if (type > static_cast<uint32_t>(GgufValueType::Float64))
            throw Error(path, key, "unknown value type " + std::to_string(type));
        GgufValue value = readValue(in, static_cast<GgufValueType>(type), path, key);
        if (!h.metadata.emplace(key, std::move(value)).second)
            throw Error(path, key, "appears twice");
    }
    h.alignment = alignment(h.metadata, path);
    if (tensorCount > in.remaining() / kMinTensorInfoBytes)
        throw Error(path, "header", std::to_string(tensorCount) + " tensors cannot fit in the file");
    for (uint64_t i = 0; i < tensorCount; ++i)
        h.tensors.push_back(readTensorInfo(in, path, i));
    h.dataStart = (in.position() + h.alignment - 1) / h.alignment * h.alignment;
    const uint64_t dataSize = file.size() > h.dataStart ? file.size() - h.dataStart : 0;

    // Every tensor inside the data section, aligned, and none overlapping another.
    std::vector<const GgufTensorInfo*> byOffset;
    for (const GgufTensorInfo& t : h.tensors) {
        if (t.offset % h.alignment != 0)
            throw Error(path, "tensor " + t.name,
                        "data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                            std::to_string(h.alignment));
        if (t.offset > dataSize || t.bytes > dataSize - t.offset)
            throw Error(path, "tensor " + t.name,
                        "data [" + std::to_string(t.offset) + ", +" + std::to_string(t.bytes) +
                            ") runs past the end of the file (" + std::to_string(dataSize) + " data bytes)");
        byOffset.push_back(&t);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i]->bytes > 0 && byOffset[i]->offset < byOffset[i - 1]->offset + byOffset[i - 1]->bytes)
            throw Error(path, "tensor " + byOffset[i]->name, "data overlaps tensor " + byOffset[i - 1]->name);
    std::vector<std::string_view> names;
    for (const GgufTensorInfo& t : h.tensors)
        names.push_back(t.name);
    std::sort(names.begin(), names.end());
    if (auto dup = std::adjacent_find(names.begin(), names.end()); dup != names.end())
        throw Error(path, "tensor " + std::string(*dup), "appears twice");
    return h;
}

bool isGgufPath(const std::string& path)
{
    return path.size() > 5 && path.compare(path.size() - 5, 5, ".gguf") == 0 && std::filesystem::is_regular_file(path);
}

GgufFile::GgufFile(const std::string& path)
    : file_(std::make_shared<const MappedFile>(path))
{
    if (file_->size() == 0)
        throw Error(path, "header", "empty file");
    header_ = parseGguf(file_->bytes(), path);
    for (size_t i = 0; i < header_.tensors.size(); ++i)
        index_.emplace(header_.tensors[i].name, i);
}

void GgufFile::readIntoHugePages(const std::set<std::string>& leftMapped)
{
    std::vector<ByteRange> ranges;
    for (const std::string& name : leftMapped)
        if (const GgufTensorInfo* t = findTensor(name))
            ranges.push_back({header_.dataStart + t->offset, header_.dataStart + t->offset + t->bytes});
    file_ = file_->readAgainIntoHugePages(ranges, header_.dataStart);
}

const GgufTensorInfo* GgufFile::findTensor(const std::string& name) const
{
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &header_.tensors[it->second];
}

const GgufValue* GgufFile::find(const std::string& key) const
{
    auto it = header_.metadata.find(key);
    return it == header_.metadata.end() ? nullptr : &it->second;
}

int64_t GgufFile::integer(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        throw Error(path(), key, "missing");
    if (!v->isInteger())
        throw Error(path(), key, "must be an integer");
    return v->integer;
}

double GgufFile::number(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        throw Error(path(), key, "missing");
    if (!v->isNumber())
        throw Error(path(), key, "must be a number");
    return v->number();
}

const std::string& GgufFile::string(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        throw Error(path(), key, "missing");
    if (v->type != GgufValueType::String)
        throw Error(path(), key, "must be a string");
    return v->text;
}

const GgufArray& GgufFile::array(const std::string& key, GgufValueType elementType) const
{
    const GgufValue* v = find(key);
    if (!v)
        throw Error(path(), key, "missing");
    const bool ok =
        v->type == GgufValueType::Array && (v->array.elementType() == elementType ||
                                            (isIntegerType(elementType) && isIntegerType(v->array.elementType())));
    if (!ok)
        throw Error(path(), key, "must be an array of the expected type");
    return v->array;
}

const uint8_t* GgufFile::tensorData(const GgufTensorInfo& t) const
{
    return reinterpret_cast<const uint8_t*>(file_->data()) + header_.dataStart + t.offset;
}

std::optional<at::ScalarType> elementDtype(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
        return at::kFloat;
    case GgmlType::F16:
        return at::kHalf;
    case GgmlType::BF16:
        return at::kBFloat16;
    default:
        return std::nullopt;
    }
}

at::Tensor GgufFile::tensor(const std::string& name, int64_t outer) const
{
    const GgufTensorInfo* t = findTensor(name);
    if (!t)
        throw Error(path(), "tensor " + name, "not in the file");
    const uint8_t* data = tensorData(*t);
    std::vector<int64_t> shape = t->shape;
    int64_t elements = t->elements();
    uint64_t size = t->bytes;
    if (outer >= 0) {
        if (shape.size() < 2 || outer >= shape[0])
            throw Error(path(), "tensor " + name, "has no slice " + std::to_string(outer));
        // Rows never straddle slices, so a slice is a whole number of blocks.
        const uint64_t sliceBytes = t->bytes / static_cast<uint64_t>(shape[0]);
        data += sliceBytes * static_cast<uint64_t>(outer);
        size = sliceBytes;
        elements /= shape[0];
        shape.erase(shape.begin());
    }
    auto* bytes = const_cast<uint8_t*>(data); // from_blob takes a mutable pointer; clone() copies out
    at::Tensor out;
    if (const std::optional<at::ScalarType> dtype = elementDtype(static_cast<GgmlType>(t->type))) {
        out = at::from_blob(bytes, shape, *dtype).clone();
    } else {
        out = at::empty(shape, at::kFloat);
        dequantize(static_cast<GgmlType>(t->type), data, elements, out.data_ptr<float>());
    }
    file_->release(reinterpret_cast<const char*>(data), size);
    return out;
}

} // namespace thinkbench::core
