#pragma once
// Enumerated settings and their names. Each enum lists its names once, in a table found by
// argument-dependent lookup (`enumNames(E{})`), and that table drives recipe parsing, writing,
// error messages and the CLI's flags alike.
//
//   enum class Schedule { Cosine, Constant };
//   inline constexpr EnumName<Schedule> kScheduleNames[] = {{Schedule::Cosine, "cosine"}, ...};
//   constexpr std::span<const EnumName<Schedule>> enumNames(Schedule) { return kScheduleNames; }

#include "core/error.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace thinkbench::core {

template <typename E> struct EnumName {
    E value;
    std::string_view name;
};

template <typename E>
concept NamedEnum = std::is_enum_v<E> && requires(E e)
{
    enumNames(e);
};

template <NamedEnum E> constexpr std::string_view nameOf(E value)
{
    for (const auto& entry : enumNames(E{}))
        if (entry.value == value)
            return entry.name;
    return {};
}

template <NamedEnum E> constexpr std::optional<E> enumFromName(std::string_view name)
{
    for (const auto& entry : enumNames(E{}))
        if (entry.name == name)
            return entry.value;
    return std::nullopt;
}

// "a, b or c": for error messages and help texts.
template <NamedEnum E> std::string enumChoices()
{
    const auto names = enumNames(E{});
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(names[i].name);
    return out;
}

// The enum a flag or key names; `where` (the flag or key) goes into the error for another name.
template <NamedEnum E> E parseEnum(std::string_view name, const std::string& where)
{
    if (const std::optional<E> value = enumFromName<E>(name))
        return *value;
    throw Error("", where, "unknown value \"" + std::string(name) + "\" (" + enumChoices<E>() + ")");
}

} // namespace thinkbench::core
