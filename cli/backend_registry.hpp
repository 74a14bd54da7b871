// The hashing backends the hashforge program offers: core's (scalar, shani, avx2, avx512) and,
// added here because core never depends on hw_model, the ASIC emulator. "auto" picks the fastest
// usable one by a short measured calibration.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backends.hpp"

namespace hf::cli {

inline constexpr std::string_view kAutoBackend = "auto";

// Every backend the CLI offers, in listing order (core's first).
std::vector<BackendInfo> cli_backends();

// Backends only `hashforge bench` offers, for measuring design choices (e.g. shani-x1..x4: SHA-NI
// with 1..4 nonces interleaved).
std::vector<BackendInfo> experimental_backends();

// "auto" followed by every name cli_backends() offers: what --backend accepts.
std::vector<std::string> backend_choices();

// --backend NAME: "auto" calibrates among core's usable backends; a name must exist (else a
// UsageError listing the choices), be supported by this CPU and pass its self-test (else a
// std::runtime_error saying why). `report`, if given, receives the calibration results.
BackendInfo resolve_backend(std::string_view name, std::vector<CalibrationResult>* report = nullptr,
                            bool allow_experimental = false);

// --opencl-device N (when given): the OpenCL device the opencl backend uses, numbered as
// `hashforge selftest` lists them. A bad number is a UsageError naming the valid ones.
void apply_opencl_device(const std::optional<std::string>& value);

}  // namespace hf::cli
