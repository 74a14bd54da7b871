// Hashes per joule of named chip designs, for comparing eras (CPU, GPU-style, ASIC). Every number
// returned is MODELED by hw_model's energy model; the published miner figures it was calibrated
// and checked against are returned beside it, with their sources.
//
//   for (auto& name : hf::hw::chip_model_names()) {
//       hf::hw::EnergyReport r = hf::hw::energy_report(name);  // r.j_per_th, r.power_w, ...
//   }
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {

// A miner's published figures (wall power, the whole machine).
struct PublishedMiner {
    std::string name;         // "Antminer S9"
    double hashrate_ths = 0;
    double wall_power_w = 0;
    unsigned chips = 0;
    double psu_efficiency = 0;   // AC -> DC
    double fans_control_w = 0;   // our assumption
    std::string source;
    double wall_j_per_th() const { return wall_power_w / hashrate_ths; }
};

struct ChipModel {
    std::string name;          // "bm1387-16nm"
    std::string description;
    std::string node;          // technology table entry
    CoreConfig core;
    unsigned cores = 1;
    double frequency_mhz = 0;  // 0: the model's estimate
    double voltage = 0;
    std::optional<PublishedMiner> miner;
    std::string sources;       // for cores, clock, voltage
};

struct EnergyReport {
    std::string name;
    std::string node;
    std::string basis = "modeled";  // every number below is modeled
    double hashrate_hs = 0;         // one chip
    double power_w = 0;             // one chip
    double j_per_th = 0;            // chip level
    double hashes_per_joule = 0;
    double area_mm2 = 0;            // hash cores only (no I/O, PLL, pads)
    double clock_mhz = 0;
    double voltage = 0;
    unsigned cores = 0;
    double toggles_per_clock_per_core = 0;  // measured in cycle mode
    // Only for chips in a published miner:
    std::optional<double> modeled_wall_j_per_th;
    std::optional<double> published_wall_j_per_th;
    std::string role;  // "calibrates", "checks" or "" (neither)
    std::string sources;
};

std::vector<std::string> chip_model_names();  // "bm1387-16nm", "bm1397-7nm", "asic-emu"
const ChipModel& chip_model(const std::string& name);  // throws std::invalid_argument
EnergyReport energy_report(const std::string& name);
EnergyReport energy_report(const ChipModel& model);

}  // namespace hf::hw
