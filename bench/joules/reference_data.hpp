// The published figures (bench/joules/reference_machines.json), embedded into the library at
// build time so the installed binary never looks for a data file; --reference FILE replaces them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bench/joules/gpu_model.hpp"
#include "bench/joules/joules_row.hpp"

namespace hf::joules {

// Per-core CPU power used when neither RAPL nor --cpu-watts gives one.
struct CpuPowerDefault {
    std::string match;  // substring of the CPU brand string; "" matches any CPU
    double watts_per_core = 0;
    std::string derivation;
    std::string source;
};

struct ReferenceData {
    std::vector<JoulesRow> machines;  // era, name, year, hashrate, watts, source; power_source = reference
    std::vector<GpuSpec> gpus;
    std::vector<CpuPowerDefault> cpu_power_defaults;

    // The first default whose `match` occurs in `cpu_brand` (the last entry matches anything).
    const CpuPowerDefault* cpu_power_default_for(std::string_view cpu_brand) const;
};

// The JSON text compiled into the binary.
std::string_view embedded_reference_json();

// Parses and checks a reference data file. Throws std::invalid_argument naming the entry and
// field at fault (a reference row without a source is an error, not a blank).
ReferenceData parse_reference_data(std::string_view json_text);

ReferenceData load_embedded_reference_data();

}  // namespace hf::joules
