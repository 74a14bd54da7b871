// Area, power and energy of a hash-core design, from its hardware counts (PipelineSpec) and its
// switching activity (flip-flop toggles counted by CycleCore), with a technology table.
//
// Every figure here is MODELED. The per-operation energies and areas at 45 nm are published
// measurements (cited in energy_model.cpp); every other node from 180 nm to 3 nm is scaled from
// them with published per-node scaling of switched capacitance, supply, delay and area (cited per
// entry), and nodes between entries are interpolated. One overhead factor (wires, clock tree,
// glitching — what an operation count misses) is calibrated on one chip only, the BM1387 in the
// Antminer S9 (chips/bm1387.json); every other chip is a prediction (docs/chips.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {

struct TechnologyNode {
    std::string name;              // "45nm", "16nm", "7nm"; "55nm (between 65nm and 45nm)" when interpolated
    double node_nm = 0;
    double nominal_voltage = 0;    // V
    double threshold_voltage = 0;  // V, for the delay's voltage dependence
    bool interpolated = false;     // between two published entries
    double e_add32_pj = 0;         // energy of one 32-bit add at nominal voltage
    double e_logic32_pj = 0;       // one 32-bit wide 2-input logic function
    double e_ff_toggle_fj = 0;     // one flip-flop changing state
    double e_ff_clock_fj = 0;      // one flip-flop's clock pin, every clock, toggling or not
    double area_add32_um2 = 0;
    double area_logic32_um2 = 0;
    double area_ff_um2 = 0;
    double area_comparator_bit_um2 = 0;
    double leakage_w_per_mm2 = 0;  // at nominal voltage
    double round_delay_ns = 0;     // one SHA-256 round + register overhead at nominal voltage
    std::string source;            // where the numbers come from
};

// The technology at any node from 180 nm to 3 nm: a table entry, or the two entries around it
// interpolated on a log scale. Throws std::invalid_argument outside the table.
TechnologyNode technology_at(double node_nm);
// "16nm" or "16": technology_at(16). Throws std::invalid_argument.
TechnologyNode technology(const std::string& name);
// The published entries themselves, largest node first.
const std::vector<TechnologyNode>& technology_table();
double smallest_node_nm();
double largest_node_nm();

// Activity of a design measured in cycle mode: flip-flop toggles per clock per core, steady state.
double measure_toggles_per_clock(const PipelineSpec& spec, unsigned clocks = 256);

struct OperatingPoint {
    double voltage = 0;        // core supply (V)
    double frequency_mhz = 0;  // hash clock; 0: the model's estimate at this voltage
};

struct EnergyEstimate {
    double clock_mhz = 0;            // modeled
    double hashes_per_second = 0;    // per core, modeled
    double energy_per_hash_j = 0;    // dynamic + leakage, per core, modeled
    double dynamic_j_per_hash = 0;
    double leakage_w = 0;            // per core
    double power_w = 0;              // per core at the clock
    double area_mm2 = 0;             // per core
    double toggles_per_clock = 0;    // measured by the cycle simulator
    double joules_per_th() const { return energy_per_hash_j * 1e12; }
    double hashes_per_joule() const { return energy_per_hash_j > 0 ? 1 / energy_per_hash_j : 0; }
};

// The overhead factor calibrated on the S9 (see energy_report.cpp); `calibrated` = false gives the
// bare operation-count model.
EnergyEstimate estimate_energy(const PipelineSpec& spec, const TechnologyNode& node, OperatingPoint op,
                               double toggles_per_clock, bool calibrated = true);

// The clock the model expects for a design at a voltage (rounds per stage set the path length).
double estimate_clock_mhz(const PipelineSpec& spec, const TechnologyNode& node, double voltage);

// The lowest supply at which the design reaches `mhz` (what a miner does: undervolt to the edge of
// timing), between just above threshold and 1.2 x nominal. `capped` is set when even 1.2 x nominal
// is too slow for that clock.
double estimate_voltage(const PipelineSpec& spec, const TechnologyNode& node, double mhz, bool* capped = nullptr);

// The calibration factor itself, derived at first use from the calibration chip's published machine.
double calibration_factor();
// The one calibration chip's shipped description name (chips/bm1387.json).
inline constexpr const char* kCalibrationChip = "bm1387";

}  // namespace hf::hw
