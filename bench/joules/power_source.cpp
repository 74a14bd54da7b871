#include "bench/joules/power_source.hpp"

#include <array>
#include <utility>

namespace hf::joules {
namespace {
constexpr std::array<std::pair<PowerSource, std::string_view>, 5> kNames = {{
    {PowerSource::Measured, "measured"},
    {PowerSource::Declared, "declared"},
    {PowerSource::Assumed, "assumed"},
    {PowerSource::Modeled, "modeled"},
    {PowerSource::Reference, "reference"},
}};
}  // namespace

std::string_view power_source_name(PowerSource s) {
    for (const auto& [k, n] : kNames)
        if (k == s) return n;
    return "unknown";
}

std::optional<PowerSource> parse_power_source(std::string_view name) {
    for (const auto& [k, n] : kNames)
        if (n == name) return k;
    return std::nullopt;
}

}  // namespace hf::joules
