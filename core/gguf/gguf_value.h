#pragma once
// A GGUF metadata value: a number, a bool, a string, or an array of values of one type. Arrays keep
// their elements compactly (a string array as one buffer of the bytes and where each string ends,
// numbers as plain vectors): a vocabulary's 150k tokens, merges and token types held one GgufValue
// per element took 40 MB. They own their bytes, so the file they were read from may go.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

enum class GgufValueType : uint32_t {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12,
};

// Whether values of this type are integers (Bool included).
bool isIntegerType(GgufValueType type);
// Float32 or Float64.
bool isRealType(GgufValueType type);

// An array's elements, all of elementType(). Each element reader serves one kind of element type
// (string(): String, integer(): the integer types and Bool, real(): Float32 and Float64, array():
// Array); an index past the end or a reader of another kind throws std::out_of_range.
class GgufArray {
public:
    explicit GgufArray(GgufValueType elementType = GgufValueType::Uint8);

    GgufValueType elementType() const { return elementType_; }
    size_t size() const;
    void reserve(size_t count);

    std::string_view string(size_t i) const;
    int64_t integer(size_t i) const { return integers_.at(i); }
    double real(size_t i) const { return reals_.at(i); }
    const GgufArray& array(size_t i) const { return arrays_.at(i); }

    // Appends an element; each appender serves the kind its reader does.
    void addString(std::string_view text);
    void addInteger(int64_t value);
    void addReal(double value);
    void addArray(GgufArray array);

private:
    GgufValueType elementType_;
    std::string strings_;            // every string's bytes, back to back
    std::vector<size_t> stringEnds_; // where each string ends in strings_
    std::vector<int64_t> integers_;
    std::vector<double> reals_;
    std::vector<GgufArray> arrays_;
};

struct GgufValue {
    GgufValueType type = GgufValueType::Uint8;
    int64_t integer = 0; // the integer types and Bool (a Uint64 above 2^63 - 1 is refused)
    double real = 0;     // Float32, Float64
    std::string text;    // String
    GgufArray array;     // Array

    bool isInteger() const { return isIntegerType(type); }
    bool isNumber() const { return isInteger() || isRealType(type); }
    double number() const { return isInteger() ? static_cast<double>(integer) : real; }
};

} // namespace thinkbench::core
