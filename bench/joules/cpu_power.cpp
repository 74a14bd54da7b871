#include "bench/joules/cpu_power.hpp"
#include "bench/joules/joules_row.hpp"

#include <cstdio>
#include <stdexcept>

namespace hf::joules {

CpuPower attribute_cpu_power(const CpuPowerInputs& in) {
    CpuPower p;
    std::string why_not_measured = in.rapl_unavailable_reason;
    if (in.rapl && in.seconds > 0) {
        if (in.rapl->package_joules > 0) {
            p.watts = in.rapl->package_joules / in.seconds;
            p.source = PowerSource::Measured;
            p.note = "RAPL package energy " + format_number("%.2f J", in.rapl->package_joules) + " over " + format_number("%.2f s", in.seconds);
            if (in.rapl->has_core) p.note += " (cores: " + format_number("%.1f W", in.rapl->core_joules / in.seconds) + ")";
            p.note += "; whole package, including idle and other load";
            return p;
        }
        why_not_measured = "RAPL package counter did not advance during the run";
    }
    const std::string suffix = why_not_measured.empty() ? "" : " (not measured: " + why_not_measured + ")";
    const double threads = in.threads ? in.threads : 1;
    if (in.declared_watts_per_core) {
        p.watts = *in.declared_watts_per_core * threads;
        p.source = PowerSource::Declared;
        p.note = "--cpu-watts " + format_number("%g", *in.declared_watts_per_core) + " W per core x " + format_number("%g", threads) +
                 (threads == 1 ? " busy core" : " busy cores") + suffix;
        return p;
    }
    if (in.assumed) {
        p.watts = in.assumed->watts_per_core * threads;
        p.source = PowerSource::Assumed;
        p.note = format_number("%g", in.assumed->watts_per_core) + " W per core x " + format_number("%g", threads) +
                 (threads == 1 ? " busy core: " : " busy cores: ") +
                 in.assumed->derivation + " [" + in.assumed->source + "]" + suffix;
        return p;
    }
    throw std::invalid_argument("no CPU power: RAPL unavailable" + suffix + ", no --cpu-watts and no default in the reference data");
}

}  // namespace hf::joules
