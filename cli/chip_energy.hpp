// `hashforge chip --energy`: the modeled report of one described chip, as text or JSON.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hw_model/chip_description.hpp"
#include "hw_model/energy_report.hpp"

namespace hf::cli {

// The report as one JSON object: name, node_nm, cores, mhz, voltage, voltage_source, hashrate_ghs,
// power_w, j_per_th, area_mm2 (and machine_hashrate_ths, machine_power_w, wall_j_per_th with a machine).
nlohmann::json energy_report_json(const hw::EnergyReport& r);
// The report for a reader: each figure with its unit and whether it is given, estimated or modeled.
std::string energy_report_text(const hw::EnergyReport& r);

int run_chip_energy(const hw::ChipDescription& chip, bool json);

}  // namespace hf::cli
