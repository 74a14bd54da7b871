// Where a row's watts come from. The table, the JSON and the chart say it for every row, so an
// assumption is never read as a measurement.
#pragma once

#include <optional>
#include <string_view>

namespace hf::joules {

enum class PowerSource {
    Measured,   // read from this machine's energy counters (RAPL) around the run
    Declared,   // given by the user (--cpu-watts)
    Assumed,    // a documented default (e.g. a CPU's TDP / cores), cited in the data file
    Modeled,    // computed by a model (GPU op-count model, ASIC energy model)
    Reference,  // a published figure for a real machine, cited in the data file
};

std::string_view power_source_name(PowerSource s);  // "measured", "declared", ...
std::optional<PowerSource> parse_power_source(std::string_view name);

}  // namespace hf::joules
