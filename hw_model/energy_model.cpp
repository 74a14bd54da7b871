#include "hw_model/energy_model.hpp"

#include <cmath>
#include <sstream>
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
//  - One round + register overhead = 1.2 ns at 45 nm, 0.9 V: our assumption for a general-purpose
//    process (it sets clocks, and so estimated voltages, never energies).
constexpr double kBaseNm = 45, kBaseVoltage = 0.9, kBaseRoundNs = 1.2;
constexpr double kAdd32Pj = 0.1, kLogic32Pj = 0.025, kFfToggleFj = 6, kFfClockFj = 2;
constexpr double kAdd32Um2 = 137, kLogic32Um2 = 51, kFfUm2 = 4.522, kComparatorBitUm2 = 2 * 1.596;

// One node as published. For 180 nm to 7 nm the numbers are A. Stillmaker, B. Baas, "Scaling
// equations for the accurate prediction of CMOS device performance from 180 nm to 7 nm",
// Integration, the VLSI Journal 58 (2017) 74-81 (with its erratum): their fits to HSPICE runs of
// the PTM and ITRS models — energy per operation E(V) = e2 V^2 + e1 V + e0 and delay
// D(V) = d3 V^3 + d2 V^2 + d1 V + d0 (arbitrary units, comparable between nodes; the high-
// performance devices from 45 nm down), the area of the same design relative to 45 nm, and each
// node's nominal supply (PTM). We take from them, per node, the switched capacitance (E at the
// nominal supply over V^2), the delay at the nominal supply and the area, all relative to 45 nm;
// how energy and delay move with the supply away from nominal stays physical (C V^2, alpha-power
// law), since chips are run far below the range the fits cover.
struct PublishedNode {
    double nm, vdd;
    double e2, e1, e0;
    double d3, d2, d1, d0;
    double area_vs_45;
    double vt;                // threshold voltage: OUR ASSUMPTION (textbook values for each era)
    double leakage_w_per_mm2; // at nominal supply: OUR ASSUMPTION (rising to 45 nm, held by FinFETs)
    const char* source;
};

double poly2(double a, double b, double c, double v) { return (a * v + b) * v + c; }
double poly3(double a, double b, double c, double d, double v) { return ((a * v + b) * v + c) * v + d; }

constexpr const char* kStillmaker = "Stillmaker & Baas, Integration 58 (2017): energy and delay fits, relative area, PTM nominal supply";
constexpr const char* kStillmakerBase =
    "Horowitz ISSCC 2014 (add energy/area at 0.9 V), NanGate 45nm library (cell areas), assumptions for the rest; "
    "Stillmaker & Baas, Integration 58 (2017): energy and delay fits, PTM nominal supply";
constexpr PublishedNode kStillmakerNodes[] = {
    {180, 1.8, 0, 24.64, -17.98, 0, 97.09, -356.7, 406.5, 19, 0.45, 0.01, kStillmaker},
    {130, 1.3, 7.171, -6.709, 2.904, -76.65, 334.9, -493.4, 275.8, 6.4, 0.40, 0.01, kStillmaker},
    {90, 1.2, 4.762, -4.781, 2.092, -60.34, 262.5, -384.2, 210.9, 2.8, 0.35, 0.02, kStillmaker},
    {65, 1.1, 3.755, -4.398, 1.975, -53.3, 230.4, -333.9, 178.6, 1.5, 0.32, 0.04, kStillmaker},
    {45, 1.0, 1.018, -0.3107, 0.1539, -501.6, 1567, -1619, 566.1, 1, 0.30, 0.05, kStillmakerBase},
    {32, 0.9, 0.8367, -0.4341, 0.1701, -1047, 2982, -2797, 873.5, 0.46, 0.30, 0.08, kStillmaker},
    {20, 0.9, 0.373, -0.1582, 0.04104, 0, 34.63, -66.37, 41.15, 0.21, 0.30, 0.10, kStillmaker},
    {16, 0.85, 0.2958, -0.1241, 0.03024, 0, 24.8, -47.52, 28.87, 0.19, 0.30, 0.10, kStillmaker},
    {14, 0.8, 0.2363, -0.09675, 0.02239, -40.66, 109.2, -100.6, 35.92, 0.17, 0.28, 0.12, kStillmaker},
    {10, 0.75, 0.2068, -0.09311, 0.02375, -34.95, 93.65, -85.99, 30.4, 0.10, 0.26, 0.15, kStillmaker},
    {7, 0.7, 0.1776, -0.09097, 0.02447, -28.58, 76.6, -70.26, 24.69, 0.059, 0.25, 0.20, kStillmaker},
};

// Below 7 nm, the foundry's published node-to-node figures applied to the 7 nm entry:
//  - 5 nm: 1.84x logic density, 15% more speed at the same power or 30% less power at the same
//    speed than 7 nm — G. Yeap et al. (TSMC), "5nm CMOS production technology platform featuring
//    full-fledged EUV, and high mobility channel FinFETs ...", IEDM 2019.
//  - 3 nm: 1.7x logic density, 10-15% more speed or 25-30% less power than 5 nm — TSMC N3
//    announcement, 2020 Technology Symposium (we take 12.5% and 27.5%).
//  Nominal core supply 0.7 V for both: IRDS 2021 More Moore roadmap, logic core device Vdd for the
//  2021-2022 nodes. "Less power at the same speed and supply" is read as less switched capacitance.
struct FoundryStep {
    double nm, density_gain, speed_gain, power_saving, vdd, vt, leakage_w_per_mm2;
    const char* source;
};
constexpr FoundryStep kFoundrySteps[] = {
    {5, 1.84, 1.15, 0.30, 0.7, 0.25, 0.25, "TSMC N5 vs N7 (Yeap et al., IEDM 2019): 1.84x density, 1.15x speed, -30% power; IRDS 2021 Vdd 0.7 V"},
    {3, 1.7, 1.125, 0.275, 0.7, 0.25, 0.30, "TSMC N3 vs N5 (2020 Technology Symposium): 1.7x density, 1.1-1.15x speed, -25-30% power; IRDS 2021 Vdd 0.7 V"},
};

TechnologyNode make_node(double nm, double vdd, double vt, double capacitance, double delay, double area, double leakage,
                         const std::string& source) {
    TechnologyNode n;
    n.name = (nm == std::floor(nm) ? std::to_string(static_cast<int>(nm)) : std::to_string(nm)) + "nm";
    n.node_nm = nm;
    n.nominal_voltage = vdd;
    n.threshold_voltage = vt;
    // Energy per operation at the node's nominal supply: C x V^2 against the 45 nm base at 0.9 V.
    const double e = capacitance * (vdd * vdd) / (kBaseVoltage * kBaseVoltage);
    n.e_add32_pj = kAdd32Pj * e;
    n.e_logic32_pj = kLogic32Pj * e;
    n.e_ff_toggle_fj = kFfToggleFj * e;
    n.e_ff_clock_fj = kFfClockFj * e;
    n.area_add32_um2 = kAdd32Um2 * area;
    n.area_logic32_um2 = kLogic32Um2 * area;
    n.area_ff_um2 = kFfUm2 * area;
    n.area_comparator_bit_um2 = kComparatorBitUm2 * area;
    n.leakage_w_per_mm2 = leakage;
    n.round_delay_ns = kBaseRoundNs * delay;
    n.source = source;
    return n;
}

std::vector<TechnologyNode> build_table() {
    const PublishedNode& base = kStillmakerNodes[4];  // 45 nm: the entry the per-operation figures are for
    static_assert(kStillmakerNodes[4].nm == kBaseNm);
    const double base_c = poly2(base.e2, base.e1, base.e0, kBaseVoltage) / (kBaseVoltage * kBaseVoltage);
    const double base_d = poly3(base.d3, base.d2, base.d1, base.d0, kBaseVoltage);
    std::vector<TechnologyNode> t;
    for (const PublishedNode& p : kStillmakerNodes) {
        const double c = poly2(p.e2, p.e1, p.e0, p.vdd) / (p.vdd * p.vdd) / base_c;
        const double d = poly3(p.d3, p.d2, p.d1, p.d0, p.vdd) / base_d;
        t.push_back(make_node(p.nm, p.vdd, p.vt, c, d, p.area_vs_45, p.leakage_w_per_mm2, p.source));
    }
    for (const FoundryStep& s : kFoundrySteps) {
        const TechnologyNode& prev = t.back();
        const double prev_c = prev.e_add32_pj / kAdd32Pj * (kBaseVoltage * kBaseVoltage) / (prev.nominal_voltage * prev.nominal_voltage);
        const double prev_d = prev.round_delay_ns / kBaseRoundNs;
        const double prev_a = prev.area_add32_um2 / kAdd32Um2;
        // Same speed at the same supply, less power: the switched capacitance falls by the saving.
        t.push_back(make_node(s.nm, s.vdd, s.vt, prev_c * (1 - s.power_saving), prev_d / s.speed_gain, prev_a / s.density_gain,
                              s.leakage_w_per_mm2, s.source));
    }
    return t;
}

// Between two entries: every factor interpolated on log(node), the supplies linearly.
TechnologyNode interpolate(const TechnologyNode& big, const TechnologyNode& small, double nm) {
    const double w = std::log(big.node_nm / nm) / std::log(big.node_nm / small.node_nm);
    auto geo = [&](double a, double b) { return a * std::pow(b / a, w); };
    auto lin = [&](double a, double b) { return a + (b - a) * w; };
    TechnologyNode n = big;
    n.node_nm = nm;
    n.nominal_voltage = lin(big.nominal_voltage, small.nominal_voltage);
    n.threshold_voltage = lin(big.threshold_voltage, small.threshold_voltage);
    // Energies scale with C V^2: interpolate C, then apply this node's own V^2.
    const double v2 = n.nominal_voltage * n.nominal_voltage;
    auto energy = [&](double eb, double es) {
        return geo(eb / (big.nominal_voltage * big.nominal_voltage), es / (small.nominal_voltage * small.nominal_voltage)) * v2;
    };
    n.e_add32_pj = energy(big.e_add32_pj, small.e_add32_pj);
    n.e_logic32_pj = energy(big.e_logic32_pj, small.e_logic32_pj);
    n.e_ff_toggle_fj = energy(big.e_ff_toggle_fj, small.e_ff_toggle_fj);
    n.e_ff_clock_fj = energy(big.e_ff_clock_fj, small.e_ff_clock_fj);
    n.area_add32_um2 = geo(big.area_add32_um2, small.area_add32_um2);
    n.area_logic32_um2 = geo(big.area_logic32_um2, small.area_logic32_um2);
    n.area_ff_um2 = geo(big.area_ff_um2, small.area_ff_um2);
    n.area_comparator_bit_um2 = geo(big.area_comparator_bit_um2, small.area_comparator_bit_um2);
    n.leakage_w_per_mm2 = geo(big.leakage_w_per_mm2, small.leakage_w_per_mm2);
    n.round_delay_ns = geo(big.round_delay_ns, small.round_delay_ns);
    std::ostringstream name;
    name << nm << "nm (between " << big.name << " and " << small.name << ")";
    n.name = name.str();
    n.interpolated = true;
    n.source = "interpolated on a log scale between " + big.name + " [" + big.source + "] and " + small.name + " [" + small.source + "]";
    return n;
}

// Delay grows as the supply approaches the threshold (alpha-power law, alpha = 1.3: a textbook
// value for short-channel devices, our assumption).
double delay_factor(const TechnologyNode& n, double v) {
    const double vt = n.threshold_voltage;
    if (v <= vt + 0.02) v = vt + 0.02;
    auto d = [&](double x) { return x / std::pow(x - vt, 1.3); };
    return d(v) / d(n.nominal_voltage);
}

}  // namespace

const std::vector<TechnologyNode>& technology_table() {
    static const std::vector<TechnologyNode> t = build_table();
    return t;
}

double smallest_node_nm() { return technology_table().back().node_nm; }
double largest_node_nm() { return technology_table().front().node_nm; }

TechnologyNode technology_at(double node_nm) {
    const auto& t = technology_table();
    if (!(node_nm >= smallest_node_nm() && node_nm <= largest_node_nm())) {
        std::ostringstream why;
        why << node_nm << " nm is outside the technology table (" << smallest_node_nm() << " to " << largest_node_nm() << " nm)";
        throw std::invalid_argument(why.str());
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (std::abs(t[i].node_nm - node_nm) < 1e-9) return t[i];
        if (i + 1 < t.size() && node_nm < t[i].node_nm && node_nm > t[i + 1].node_nm) return interpolate(t[i], t[i + 1], node_nm);
    }
    return t.back();
}

TechnologyNode technology(const std::string& name) {
    std::string number = name;
    if (number.size() > 2 && number.ends_with("nm")) number.resize(number.size() - 2);
    std::size_t used = 0;
    double nm = 0;
    try {
        nm = std::stod(number, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != number.size())
        throw std::invalid_argument("technology node '" + name + "' is not a size in nm (e.g. 16nm or 16)");
    return technology_at(nm);
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

double estimate_voltage(const PipelineSpec& spec, const TechnologyNode& node, double mhz, bool* capped) {
    // The clock rises monotonically with the supply above threshold: bisect.
    double lo = node.threshold_voltage + 0.02, hi = 1.2 * node.nominal_voltage;
    if (capped) *capped = estimate_clock_mhz(spec, node, hi) < mhz;
    if (estimate_clock_mhz(spec, node, hi) < mhz) return hi;
    if (estimate_clock_mhz(spec, node, lo) >= mhz) return lo;
    for (int i = 0; i < 60; ++i) {
        const double mid = (lo + hi) / 2;
        (estimate_clock_mhz(spec, node, mid) >= mhz ? hi : lo) = mid;
    }
    return hi;
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
