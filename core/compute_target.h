#pragma once
// Where a model runs and in which number format, as recipes and CLI flags name them.
// inference/threads turns them into torch's device and scalar type.

#include "core/enum_names.h"

namespace thinkbench::core {

// Number formats a model's weights and compute use.
enum class DType { F32, BF16, F16 };
inline constexpr EnumName<DType> kDTypeNames[] = {{DType::F32, "f32"}, {DType::BF16, "bf16"}, {DType::F16, "f16"}};
constexpr std::span<const EnumName<DType>> enumNames(DType)
{
    return kDTypeNames;
}

// Where a model runs; Auto takes CUDA when present.
enum class DeviceKind { Auto, Cpu, Cuda };
inline constexpr EnumName<DeviceKind> kDeviceKindNames[] = {
    {DeviceKind::Auto, "auto"}, {DeviceKind::Cpu, "cpu"}, {DeviceKind::Cuda, "cuda"}};
constexpr std::span<const EnumName<DeviceKind>> enumNames(DeviceKind)
{
    return kDeviceKindNames;
}

} // namespace thinkbench::core
