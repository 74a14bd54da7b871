// Small formatting helpers for the miner's console: rates with automatic units, durations, times.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace hf::cli {

// 53.4 MH/s, 812 kH/s, 1.20 GH/s: three significant digits, SI units (hashes per second).
inline std::string hashrate_text(double hps) {
    const char* units[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s"};
    int u = 0;
    while (hps >= 1000 && u < 5) {
        hps /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, hps >= 100 ? "%.0f %s" : hps >= 10 ? "%.1f %s" : "%.2f %s", hps, units[u]);
    return buf;
}

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
