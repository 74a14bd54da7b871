#include "bench/joules/cpu_measure.hpp"

#include <algorithm>
#include <chrono>

#include "core/backends.hpp"

namespace hf::joules {

BackendRun run_backend(const BackendInfo& info, unsigned threads, double seconds, RaplReader* rapl) {
    BackendRun run;
    std::optional<RaplSample> before;
    if (rapl && rapl->available()) before = rapl->sample();
    const Measurement m = measure_backend(info, std::chrono::duration<double>(seconds), std::max(threads, 1u));
    run.hashes = m.hashes;
    run.seconds = m.seconds;

    if (rapl && rapl->available()) {
        const auto after = rapl->sample();
        if (before && after) {
            run.energy = rapl->energy_between(*before, *after);
        } else {
            run.rapl_note = rapl->why_unavailable();
        }
    } else if (rapl) {
        run.rapl_note = rapl->why_unavailable();
    }
    return run;
}

}  // namespace hf::joules
