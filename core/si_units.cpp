#include "core/si_units.hpp"

#include <cmath>
#include <cstdio>

namespace hf {

std::string format_si(double value, const std::string& unit) {
    static const char* prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
    if (!std::isfinite(value)) return "n/a";
    int i = 0;
    double v = value;
    while (std::fabs(v) >= 1000 && i < 6) {
        v /= 1000;
        ++i;
    }
    const char* format = std::fabs(v) >= 100 ? "%.0f %s%s" : std::fabs(v) >= 10 ? "%.1f %s%s" : "%.2f %s%s";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v, prefixes[i], unit.c_str());
    return buf;
}

}  // namespace hf
