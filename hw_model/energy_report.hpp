// The modeled figures of one described chip (chip_description.hpp), for `hashforge chip --energy`,
// the joules table and `pipeline --sweep`. Every number here is MODELED by energy_model.hpp; the
// published machine figures a description carries are returned beside them as reference.
//
//   hf::hw::EnergyReport r = hf::hw::energy_report(hf::hw::find_chip("bm1397"));
//   // r.j_per_th, r.power_w, r.voltage_source ("given" / "estimated"), r.machine->wall_j_per_th ...
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hw_model/chip_description.hpp"

namespace hf::hw {

// The chips in their machine, at the wall: chips x chip power / PSU efficiency + fans and control.
struct MachineReport {
    std::string name;
    unsigned chips = 0;
    double hashrate_ths = 0;   // modeled
    double power_w = 0;        // modeled, at the wall
    double wall_j_per_th = 0;  // modeled
    std::optional<PublishedMachine> published;  // reference, from the description
};

struct EnergyReport {
    std::string name;
    std::string file;               // the description it came from
    double node_nm = 0;
    std::string technology;         // the technology entry used: "7nm", "between 65nm and 45nm"
    unsigned cores = 0;
    std::string core;               // the core design, CoreConfig::describe()
    double mhz = 0;                 // given
    double voltage = 0;
    std::string voltage_source;     // "given" or "estimated"
    double hashrate_hs = 0;         // one chip
    double power_w = 0;             // one chip: hash cores, dynamic + leakage
    double j_per_th = 0;            // chip level
    double hashes_per_joule = 0;
    double area_mm2 = 0;            // hash cores only (no I/O, PLL, pads)
    double toggles_per_clock_per_core = 0;  // measured in cycle mode
    std::optional<MachineReport> machine;
    std::string role;               // "calibrates" (the one calibration chip), "checks" (other published machines) or ""
    std::vector<std::string> notes; // what the model assumed for this chip (an estimated voltage, ...)
    std::string sources;
};

// Throws ChipDescriptionError naming the file and key when the model cannot take a value
// (a node outside the technology table).
EnergyReport energy_report(const ChipDescription& chip);

}  // namespace hf::hw
