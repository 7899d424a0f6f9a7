#include "core/gguf/gguf_value.h"

#include <stdexcept>
#include <utility>

namespace thinkbench::core {

namespace {

// Which of GgufArray's vectors holds elements of a type.
enum class Kind { String, Integer, Real, Array };

Kind kindOf(GgufValueType type)
{
    if (type == GgufValueType::String)
        return Kind::String;
    if (type == GgufValueType::Array)
        return Kind::Array;
    return isRealType(type) ? Kind::Real : Kind::Integer;
}

// An appender of another kind would leave size() counting the wrong vector, and a written file wrong.
void expectKind(GgufValueType elementType, Kind kind)
{
    if (kindOf(elementType) != kind)
        throw std::invalid_argument("GgufArray: element of another kind than the array's element type " +
                                    std::to_string(static_cast<uint32_t>(elementType)));
}

} // namespace

bool isIntegerType(GgufValueType type)
{
    switch (type) {
    case GgufValueType::Float32:
    case GgufValueType::Float64:
    case GgufValueType::String:
    case GgufValueType::Array:
        return false;
    default:
        return true;
    }
}

bool isRealType(GgufValueType type)
{
    return type == GgufValueType::Float32 || type == GgufValueType::Float64;
}

GgufArray::GgufArray(GgufValueType elementType)
    : elementType_(elementType)
{
}

size_t GgufArray::size() const
{
    switch (kindOf(elementType_)) {
    case Kind::String:
        return stringEnds_.size();
    case Kind::Integer:
        return integers_.size();
    case Kind::Real:
        return reals_.size();
    case Kind::Array:
        return arrays_.size();
    }
    return 0;
}

void GgufArray::reserve(size_t count)
{
    switch (kindOf(elementType_)) {
    case Kind::String:
        stringEnds_.reserve(count);
        break;
    case Kind::Integer:
        integers_.reserve(count);
        break;
    case Kind::Real:
        reals_.reserve(count);
        break;
    case Kind::Array:
        arrays_.reserve(count);
        break;
    }
}

std::string_view GgufArray::string(size_t i) const
{
    const size_t end = stringEnds_.at(i);
    const size_t begin = i == 0 ? 0 : stringEnds_[i - 1];
    return std::string_view(strings_).substr(begin, end - begin);
}

void GgufArray::addString(std::string_view text)
{
    expectKind(elementType_, Kind::String);
    strings_ += text;
    stringEnds_.push_back(strings_.size());
}

void GgufArray::addInteger(int64_t value)
{
    expectKind(elementType_, Kind::Integer);
    integers_.push_back(value);
}

void GgufArray::addReal(double value)
{
    expectKind(elementType_, Kind::Real);
    reals_.push_back(value);
}

void GgufArray::addArray(GgufArray array)
{
    expectKind(elementType_, Kind::Array);
    arrays_.push_back(std::move(array));
}

} // namespace thinkbench::core
