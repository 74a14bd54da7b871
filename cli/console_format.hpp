// Small formatting helpers for the miner's console: durations and times (rates: core/si_units.hpp).
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "core/si_units.hpp"

namespace hf::cli {

using hf::hashrate_text;  // core/si_units.hpp

inline std::string duration_text(double seconds) {
    const long s = static_cast<long>(seconds);
    char buf[32];
    if (s >= 86400)
        std::snprintf(buf, sizeof buf, "%ldd %02ld:%02ld:%02ld", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return buf;
}

// "[21:30:05]" in UTC, as a log prefix.
inline std::string clock_prefix() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "[%H:%M:%S]", &tm);
    return buf;
}

}  // namespace hf::cli
