#include "bench/joules/joules_row.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace hf::joules {

std::string format_number(const char* printf_format, double value) {
    char buf[96];
    std::snprintf(buf, sizeof buf, printf_format, value);
    return buf;
}

std::string_view hashrate_source_name(HashrateSource s) {
    switch (s) {
        case HashrateSource::Measured: return "measured";
        case HashrateSource::Modeled: return "modeled";
        case HashrateSource::Reference: return "reference";
    }
    return "unknown";
}

bool set_ratios_to_scalar(std::vector<JoulesRow>& rows) {
    const JoulesRow* base = nullptr;
    for (const auto& r : rows)
        if (r.era == "cpu" && r.hashrate_source == HashrateSource::Measured && r.name == "scalar" && r.valid() &&
            (base == nullptr || (r.threads == 1 && base->threads != 1)))
            base = &r;
    if (!base) {
        for (auto& r : rows) r.ratio_to_scalar.reset();
        return false;
    }
    const double hpj = base->hashes_per_joule();
    for (auto& r : rows) {
        if (r.valid()) {
            r.ratio_to_scalar = r.hashes_per_joule() / hpj;
        } else {
            r.ratio_to_scalar.reset();
        }
    }
    return true;
}

std::string format_ratio(double r) {
    char buf[32];
    if (!std::isfinite(r)) return "n/a";
    if (r >= 1e4) {
        std::snprintf(buf, sizeof buf, "%.2gx", r);
    } else if (r >= 10) {
        std::snprintf(buf, sizeof buf, "%.0fx", r);
    } else {
        std::snprintf(buf, sizeof buf, "%.2fx", r);
    }
    return buf;
}

std::string era_label(const JoulesRow& row) {
    if (row.hashrate_source == HashrateSource::Reference) {
        if (row.era == "cpu") return "CPU (pub.)";
        if (row.era == "gpu") return "GPU (pub.)";
        if (row.era == "fpga") return "FPGA (pub.)";
        if (row.era == "asic") return "ASIC (pub.)";
        return row.era + " (pub.)";
    }
    if (row.era == "cpu") return "CPU";
    if (row.era == "gpu-style") return "GPU-style";
    if (row.era == "gpu-model") return "GPU (model)";
    if (row.era == "gpu") return "GPU (OpenCL)";
    if (row.era == "asic") return "ASIC (model)";
    return row.era;
}

nlohmann::json row_to_json(const JoulesRow& row) {
    nlohmann::json j = {
        {"era", row.era},
        {"name", row.name},
        {"hashrate", row.hashrate},
        {"hashrate_source", std::string(hashrate_source_name(row.hashrate_source))},
        {"watts", row.watts},
        {"power_source", std::string(power_source_name(row.power_source))},
        {"power_note", row.power_note},
        {"joules_per_terahash", row.valid() ? nlohmann::json(row.joules_per_terahash()) : nlohmann::json()},
        {"hashes_per_joule", row.valid() ? nlohmann::json(row.hashes_per_joule()) : nlohmann::json()},
        {"source", row.source},
    };
    if (row.threads) j["threads"] = row.threads;
    if (row.year) j["year"] = row.year;
    j["ratio_to_scalar"] = row.ratio_to_scalar ? nlohmann::json(*row.ratio_to_scalar) : nlohmann::json();
    return j;
}

}  // namespace hf::joules
