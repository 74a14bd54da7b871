// Energy counters of the Linux powercap framework (RAPL: Intel since Sandy Bridge, AMD since Zen,
// exposed by the intel_rapl driver under /sys/class/powercap/intel-rapl:*).
//
// Each zone directory holds `name` ("package-0", "core", "uncore", "dram", "psys"), `energy_uj`
// (a monotonically increasing microjoule counter) and `max_energy_range_uj` (the value at which
// energy_uj wraps to 0). We read package zones (whole sockets) and core zones (the cores' share)
// before and after a run; the difference over the wall time is the average power.
//
// Since Linux 5.10 energy_uj is readable by root only (CVE-2020-8694, "PLATYPUS"), and VMs usually
// have no powercap at all: both cases are reported as "unavailable" with the reason, never guessed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hf::joules {

inline constexpr const char* kDefaultPowercapRoot = "/sys/class/powercap";

enum class RaplDomainKind { Package, Core, Other };

struct RaplDomain {
    std::filesystem::path dir;     // e.g. /sys/class/powercap/intel-rapl:0
    std::string name;              // contents of `name`
    RaplDomainKind kind = RaplDomainKind::Other;
    std::uint64_t max_energy_range_uj = 0;
};

// One reading of every usable domain, in the order of RaplReader::domains().
struct RaplSample {
    std::vector<std::uint64_t> energy_uj;
};

// Energy used between two samples, per kind, in joules.
struct RaplEnergy {
    double package_joules = 0;  // summed over sockets
    double core_joules = 0;     // summed over core zones (0 when the CPU exposes none)
    bool has_core = false;
};

// Microjoules between two readings of one counter that wraps at `max_range_uj`. A reading lower
// than the previous one means the counter wrapped once (RAPL counters wrap after minutes to
// hours; runs here last seconds, so more than one wrap cannot happen unnoticed).
std::uint64_t counter_delta_uj(std::uint64_t before, std::uint64_t after, std::uint64_t max_range_uj);

class RaplReader {
public:
    // Scans `root` for intel-rapl zones. Never throws: when nothing is usable, available() is
    // false and why_unavailable() says why (no powercap, no package zone, permission denied...).
    explicit RaplReader(std::filesystem::path root = kDefaultPowercapRoot);

    bool available() const { return !domains_.empty(); }
    const std::string& why_unavailable() const { return why_; }
    const std::vector<RaplDomain>& domains() const { return domains_; }
    const std::filesystem::path& root() const { return root_; }

    // Reads every domain. Returns nullopt (and updates why_unavailable) when a counter has become
    // unreadable or holds something that is not a number.
    std::optional<RaplSample> sample();

    // Energy from `before` to `after`, handling wrap-around per domain.
    RaplEnergy energy_between(const RaplSample& before, const RaplSample& after) const;

private:
    std::filesystem::path root_;
    std::vector<RaplDomain> domains_;
    std::string why_;
};

}  // namespace hf::joules
