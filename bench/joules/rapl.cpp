#include "bench/joules/rapl.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

namespace hf::joules {
namespace fs = std::filesystem;
namespace {

// Reads a one-line sysfs file. Returns nullopt with `error` set when it cannot be opened or read.
std::optional<std::string> read_line(const fs::path& file, std::string& error) {
    std::ifstream in(file);
    if (!in) {
        error = file.string() + ": " + std::strerror(errno ? errno : EACCES);
        return std::nullopt;
    }
    std::string line;
    if (!std::getline(in, line)) {
        error = file.string() + ": cannot read (empty or not readable)";
        return std::nullopt;
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

std::optional<std::uint64_t> read_u64(const fs::path& file, std::string& error) {
    auto line = read_line(file, error);
    if (!line) return std::nullopt;
    std::uint64_t v = 0;
    const char* end = line->data() + line->size();
    auto [p, ec] = std::from_chars(line->data(), end, v);
    if (ec != std::errc() || p != end || line->empty()) {
        error = file.string() + ": not a number: '" + *line + "'";
        return std::nullopt;
    }
    return v;
}

RaplDomainKind kind_of(const std::string& name) {
    if (name.rfind("package-", 0) == 0) return RaplDomainKind::Package;
    if (name == "core") return RaplDomainKind::Core;
    return RaplDomainKind::Other;
}

}  // namespace

std::uint64_t counter_delta_uj(std::uint64_t before, std::uint64_t after, std::uint64_t max_range_uj) {
    if (after >= before) return after - before;
    // Wrapped: from `before` up to the top of the range, then from 0 to `after`.
    if (max_range_uj < before) return after;  // inconsistent range: count only what we saw after the wrap
    return (max_range_uj - before) + after;
}

RaplReader::RaplReader(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    if (!fs::is_directory(root_, ec)) {
        why_ = root_.string() + " does not exist (no powercap driver: typical of VMs and non-Linux systems)";
        return;
    }
    // Zones are intel-rapl:N (packages) and intel-rapl:N:M (their subzones). Listing them flat
    // from the class directory sees each once; intel-rapl-mmio duplicates package energy, skip it.
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
        const std::string leaf = entry.path().filename().string();
        if (leaf.rfind("intel-rapl:", 0) == 0) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    if (dirs.empty()) {
        why_ = root_.string() + " has no intel-rapl zones (RAPL not exposed on this machine)";
        return;
    }
    std::string first_error;
    for (const auto& dir : dirs) {
        std::string error;
        auto name = read_line(dir / "name", error);
        if (!name) {
            if (first_error.empty()) first_error = error;
            continue;
        }
        const RaplDomainKind kind = kind_of(*name);
        if (kind == RaplDomainKind::Other) continue;  // uncore, dram, psys: not the CPU cores' energy
        auto range = read_u64(dir / "max_energy_range_uj", error);
        auto energy = range ? read_u64(dir / "energy_uj", error) : std::nullopt;
        if (!range || !energy) {
            if (first_error.empty()) first_error = error;
            continue;
        }
        domains_.push_back({dir, *name, kind, *range});
    }
    const bool has_package = std::any_of(domains_.begin(), domains_.end(),
                                         [](const RaplDomain& d) { return d.kind == RaplDomainKind::Package; });
    if (!has_package) {
        domains_.clear();
        why_ = first_error.empty() ? root_.string() + " has no readable package zone"
                                   : first_error + " (energy_uj is root-only since Linux 5.10, CVE-2020-8694)";
    }
}

std::optional<RaplSample> RaplReader::sample() {
    RaplSample s;
    s.energy_uj.reserve(domains_.size());
    for (const auto& d : domains_) {
        std::string error;
        auto v = read_u64(d.dir / "energy_uj", error);
        if (!v) {
            why_ = error;
            return std::nullopt;
        }
        s.energy_uj.push_back(*v);
    }
    return s;
}

RaplEnergy RaplReader::energy_between(const RaplSample& before, const RaplSample& after) const {
    RaplEnergy e;
    const std::size_t n = std::min({domains_.size(), before.energy_uj.size(), after.energy_uj.size()});
    for (std::size_t i = 0; i < n; ++i) {
        const double joules =
            static_cast<double>(counter_delta_uj(before.energy_uj[i], after.energy_uj[i], domains_[i].max_energy_range_uj)) * 1e-6;
        if (domains_[i].kind == RaplDomainKind::Package) e.package_joules += joules;
        if (domains_[i].kind == RaplDomainKind::Core) {
            e.core_joules += joules;
            e.has_core = true;
        }
    }
    return e;
}

}  // namespace hf::joules
