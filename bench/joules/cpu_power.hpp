// Which watts a CPU row gets, in order of trust: a RAPL measurement of the run, the user's
// --cpu-watts, or the documented per-core default from the reference data. Pure: the decision is
// unit-tested apart from any hashing.
#pragma once

#include <optional>
#include <string>

#include "bench/joules/power_source.hpp"
#include "bench/joules/rapl.hpp"
#include "bench/joules/reference_data.hpp"

namespace hf::joules {

struct CpuPowerInputs {
    unsigned threads = 1;
    double seconds = 0;                          // wall time of the run
    std::optional<RaplEnergy> rapl;              // energy over the run, when RAPL was readable
    std::optional<double> declared_watts_per_core;  // --cpu-watts
    const CpuPowerDefault* assumed = nullptr;    // from cpu_power_defaults
    std::string rapl_unavailable_reason;         // said in the note when falling back
};

struct CpuPower {
    double watts = 0;
    PowerSource source = PowerSource::Assumed;
    std::string note;
};

// Throws std::invalid_argument when no source is possible (no RAPL, nothing declared, no default).
CpuPower attribute_cpu_power(const CpuPowerInputs& in);

}  // namespace hf::joules
