// Numbers for people: "53.4 MH/s", "812 kH/s", "1.20 GH/s" — three significant digits with an SI
// prefix. The one formatter the miner's console, `hashforge bench` and the joules report share.
#pragma once

#include <string>

namespace hf {

// value with a k/M/G/T/P/E prefix on `unit`, three significant digits; "n/a" when not finite.
std::string format_si(double value, const std::string& unit);
inline std::string hashrate_text(double hashes_per_second) { return format_si(hashes_per_second, "H/s"); }

}  // namespace hf
