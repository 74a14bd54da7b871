#include "hw_model/energy_model.hpp"

#include <cmath>
#include <stdexcept>

#include "core/block_header.hpp"
#include "hw_model/core_sim.hpp"

namespace hf::hw {
namespace {

// 45 nm, 0.9 V: the published base.
//  - 32-bit integer add: 0.1 pJ, 137 um^2 — M. Horowitz, "Computing's energy problem (and what we
//    can do about it)", ISSCC 2014, energy and area tables (45 nm, 0.9 V).
//  - Flip-flop area: 4.522 um^2, 2-input XOR 1.596 um^2 — NanGate FreePDK45 Open Cell Library
//    (DFF_X1, XOR2_X1); a 32-bit logic function is taken as 32 XOR2 cells (51 um^2).
//  - Energies Horowitz does not list are OUR ASSUMPTIONS, sized by gate count against his add:
//    a 32-bit logic function = 1/4 of a 32-bit add (about one gate per bit against four to five);
//    a flip-flop toggle = 6 fJ (about two bits' worth of the add, a DFF being ~6 gate equivalents
//    with its internal clock nodes); the clock pin of a flip-flop that holds = 2 fJ per clock.
//  - Leakage 0.05 W/mm^2 at nominal voltage and one round + register overhead = 1.2 ns: our
//    assumptions for a general-purpose 45 nm process.
TechnologyNode node45() {
    TechnologyNode n;
    n.name = "45nm";
    n.nominal_voltage = 0.9;
    n.e_add32_pj = 0.1;
    n.e_logic32_pj = 0.025;
    n.e_ff_toggle_fj = 6;
    n.e_ff_clock_fj = 2;
    n.area_add32_um2 = 137;
    n.area_logic32_um2 = 51;
    n.area_ff_um2 = 4.522;
    n.area_comparator_bit_um2 = 2 * 1.596;
    n.leakage_w_per_mm2 = 0.05;
    n.round_delay_ns = 1.2;
    n.source = "Horowitz ISSCC 2014 (add energy/area), NanGate 45nm library (cell areas), assumptions for the rest";
    return n;
}

// Another node from 45 nm. Energy per operation scales with switched capacitance x V^2; we take
// capacitance to fall 2.5x to 16 nm FinFET and 5x to 7 nm (our approximation of the trend in
// A. Stillmaker, B. Baas, "Scaling equations for the accurate prediction of CMOS device
// performance from 180 nm to 7 nm", Integration 58, 2017), with nominal supplies 0.8 V and 0.75 V.
// Area scales with the square of the feature size (ideal: a lower bound on real area); delay with
// the capacitance factor.
TechnologyNode scaled(const std::string& name, double capacitance, double voltage, double feature_nm, double leakage,
                      const char* source) {
    const TechnologyNode b = node45();
    TechnologyNode n = b;
    n.name = name;
    n.nominal_voltage = voltage;
    const double e = capacitance * (voltage * voltage) / (b.nominal_voltage * b.nominal_voltage);
    n.e_add32_pj *= e;
    n.e_logic32_pj *= e;
    n.e_ff_toggle_fj *= e;
    n.e_ff_clock_fj *= e;
    const double a = (feature_nm / 45.0) * (feature_nm / 45.0);
    n.area_add32_um2 *= a;
    n.area_logic32_um2 *= a;
    n.area_ff_um2 *= a;
    n.area_comparator_bit_um2 *= a;
    n.leakage_w_per_mm2 = leakage;
    n.round_delay_ns *= capacitance;
    n.source = source;
    return n;
}

const std::vector<TechnologyNode>& table() {
    static const std::vector<TechnologyNode> t = {node45(), 
        scaled("16nm", 1 / 2.5, 0.8, 16, 0.1, "45nm figures scaled: capacitance /2.5, V^2 (0.8 V), area (16/45)^2"),
        scaled("7nm", 1 / 5.0, 0.75, 7, 0.2, "45nm figures scaled: capacitance /5, V^2 (0.75 V), area (7/45)^2")};
    return t;
}

// Delay grows as the supply approaches the threshold (alpha-power law, alpha = 1.3, Vt = 0.3 V
// for 45/16 nm and 0.25 V for 7 nm: textbook values, our assumption).
double delay_factor(const TechnologyNode& n, double v) {
    const double vt = n.name == "7nm" ? 0.25 : 0.3;
    if (v <= vt + 0.02) v = vt + 0.02;
    auto d = [&](double x) { return x / std::pow(x - vt, 1.3); };
    return d(v) / d(n.nominal_voltage);
}

}  // namespace

const TechnologyNode& technology(const std::string& name) {
    for (const auto& n : table())
        if (n.name == name) return n;
    throw std::invalid_argument("unknown technology node '" + name + "' (known: 45nm, 16nm, 7nm)");
}

std::vector<std::string> technology_names() {
    std::vector<std::string> names;
    for (const auto& n : table()) names.push_back(n.name);
    return names;
}

double measure_toggles_per_clock(const PipelineSpec& spec, unsigned clocks) {
    // A fixed, arbitrary header: activity depends on the data only statistically.
    HeaderBytes header{};
    for (std::size_t i = 0; i < header.size(); ++i) header[i] = static_cast<std::uint8_t>(i * 37 + 11);
    std::vector<std::uint32_t> versions;
    for (unsigned m = 0; m < spec.lanes; ++m) versions.push_back(0x20000000u + (m << 13));
    CycleCore core(spec, true);
    core.load_job(core_job_from_header(header, versions, 32), 0x12345678u, std::uint64_t{1} << 32);
    for (unsigned i = 0; i < spec.latency_clocks + spec.config.loop; ++i) core.clock();  // fill the pipeline
    const std::uint64_t before = core.toggles();
    for (unsigned i = 0; i < clocks; ++i) core.clock();
    return static_cast<double>(core.toggles() - before) / clocks;
}

double estimate_clock_mhz(const PipelineSpec& spec, const TechnologyNode& node, double voltage) {
    // A stage's path: its rounds in series plus a fixed register overhead (0.2 of a round).
    const double path_ns = node.round_delay_ns * (spec.config.rounds_per_stage + 0.2) / 1.2 * delay_factor(node, voltage);
    return 1e3 / path_ns;
}

EnergyEstimate estimate_energy(const PipelineSpec& spec, const TechnologyNode& node, OperatingPoint op,
                               double toggles_per_clock, bool calibrated) {
    EnergyEstimate e;
    e.toggles_per_clock = toggles_per_clock;
    e.clock_mhz = op.frequency_mhz > 0 ? op.frequency_mhz : estimate_clock_mhz(spec, node, op.voltage);
    e.hashes_per_second = spec.hashes_per_clock * e.clock_mhz * 1e6;
    const HardwareCount& h = spec.hardware;
    const double v2 = (op.voltage * op.voltage) / (node.nominal_voltage * node.nominal_voltage);
    // Every adder and logic function evaluates every clock (random data: Horowitz's conditions).
    const double per_clock_j = (h.adders32 * node.e_add32_pj + (h.logic32 + h.comparator_bits / 32.0) * node.e_logic32_pj) * 1e-12 +
                               (toggles_per_clock * node.e_ff_toggle_fj + h.register_bits * node.e_ff_clock_fj) * 1e-15;
    const double overhead = calibrated ? calibration_factor() : 1.0;
    e.dynamic_j_per_hash = per_clock_j * v2 * overhead / spec.hashes_per_clock;
    // Area: cells plus 30% for placement and wiring (utilisation 0.77).
    const double um2 = h.adders32 * node.area_add32_um2 + h.logic32 * node.area_logic32_um2 + h.register_bits * node.area_ff_um2 +
                       h.comparator_bits * node.area_comparator_bit_um2;
    e.area_mm2 = um2 * 1.3 * 1e-6;
    e.leakage_w = e.area_mm2 * node.leakage_w_per_mm2 * (op.voltage / node.nominal_voltage);
    e.energy_per_hash_j = e.dynamic_j_per_hash + (e.hashes_per_second > 0 ? e.leakage_w / e.hashes_per_second : 0);
    e.power_w = e.energy_per_hash_j * e.hashes_per_second;
    return e;
}

}  // namespace hf::hw
