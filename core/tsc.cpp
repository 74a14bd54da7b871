#include "core/tsc.hpp"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace hf {

std::uint64_t read_tsc() {
#if defined(__x86_64__)
    _mm_lfence();  // do not let earlier work drift past the read
    return __rdtsc();
#else
    return 0;
#endif
}

double measure_tsc_hz(std::chrono::milliseconds interval) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const std::uint64_t c0 = read_tsc();
    while (Clock::now() - t0 < interval) {
    }
    const auto t1 = Clock::now();
    const std::uint64_t c1 = read_tsc();
    return static_cast<double>(c1 - c0) / std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace hf
