// One row of the hashes-per-joule comparison: a backend measured on this machine, a modeled GPU
// or ASIC, or a published reference machine. Every number says where it came from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/joules/power_source.hpp"
#include "core/si_units.hpp"

namespace hf::joules {

// Where the hashrate of a row came from (its power has its own PowerSource).
enum class HashrateSource { Measured, Modeled, Reference };
std::string_view hashrate_source_name(HashrateSource s);

// One number through a printf format ("%.1f W"), for the human-readable notes and cells.
std::string format_number(const char* printf_format, double value);

struct JoulesRow {
    // "cpu", "gpu-style" (measured here), "gpu-model", "asic" (modeled), or for reference rows the
    // era of the machine: "cpu", "gpu", "fpga", "asic".
    std::string era;
    std::string name;              // backend, design or machine
    unsigned threads = 0;          // measured rows: worker threads; 0 otherwise
    int year = 0;                  // reference and GPU-model rows; 0 for this machine, now
    double hashrate = 0;           // H/s
    double watts = 0;
    HashrateSource hashrate_source = HashrateSource::Measured;
    PowerSource power_source = PowerSource::Assumed;
    std::string power_note;        // how the watts were obtained
    std::string source;            // citation or description of the hashrate
    std::optional<double> ratio_to_scalar;  // hashes per joule / the scalar 1-thread row's

    double joules_per_terahash() const { return watts / hashrate * 1e12; }
    double hashes_per_joule() const { return hashrate / watts; }
    bool valid() const { return hashrate > 0 && watts > 0; }
};

// Sets ratio_to_scalar on every row relative to the first measured "scalar" CPU row with one
// thread (or, failing that, the first scalar row). Returns false when there is none.
bool set_ratios_to_scalar(std::vector<JoulesRow>& rows);

std::string format_ratio(double r);  // "1.00x", "3.2x", "1.2e+05x"

// Human-readable era label for the table and chart.
std::string era_label(const JoulesRow& row);

nlohmann::json row_to_json(const JoulesRow& row);

}  // namespace hf::joules
