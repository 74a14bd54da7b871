// The energy model: calibrated on the Antminer S9, checked on the S19 (not fitted to it), and
// sensible in its responses to the design knobs.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "hw_model/chip_description.hpp"
#include "hw_model/energy_model.hpp"
#include "hw_model/energy_report.hpp"
#include "hw_model/pipeline_spec.hpp"

using namespace hf::hw;

TEST_CASE("the S19 (BM1397) is predicted within 30% of its published wall J/TH; nothing about it was fitted") {
    const EnergyReport s9 = energy_report(shipped_chip("bm1387"));
    const EnergyReport s19 = energy_report(shipped_chip("bm1397"));
    REQUIRE(s19.machine);
    REQUIRE(s19.machine->published);
    CHECK(s9.role == "calibrates");
    CHECK(s19.role == "checks");
    CHECK(std::abs(s19.machine->wall_j_per_th / s19.machine->published->wall_j_per_th() - 1) < 0.30);
    // The factor stands for wires, clock tree and glitching: it must be an overhead, and a modest one.
    CHECK(calibration_factor() > 1.0);
    CHECK(calibration_factor() < 4.0);
    // Chip hashrates follow from cores and clock and match the machines' per-chip share.
    CHECK(s9.hashrate_hs == doctest::Approx(13.5e12 / 189).epsilon(0.01));
    CHECK(s19.hashrate_hs == doctest::Approx(95e12 / 228).epsilon(0.01));
    for (const auto& chip : shipped_chips()) {
        const auto r = energy_report(chip);
        CAPTURE(chip.name);
        CHECK(r.power_w > 0);
        CHECK(r.area_mm2 > 0);
        CHECK(r.j_per_th == doctest::Approx(r.power_w / r.hashrate_hs * 1e12).epsilon(1e-6));
        CHECK(r.hashes_per_joule == doctest::Approx(1e12 / r.j_per_th).epsilon(1e-6));
        CHECK(!r.sources.empty());
    }
}

TEST_CASE("activity and energy respond to the design") {
    const TechnologyNode n16 = technology("16nm");
    const PipelineSpec unrolled = build_pipeline(CoreConfig{});
    const double toggles = measure_toggles_per_clock(unrolled);
    // Register bits toggle about half the time on random data; empty (constant) ones never.
    CHECK(toggles > 0.25 * unrolled.hardware.register_bits);
    CHECK(toggles < 0.75 * unrolled.hardware.register_bits);
    const auto at_nominal = estimate_energy(unrolled, n16, {0.8, 500}, toggles);
    const auto undervolted = estimate_energy(unrolled, n16, {0.4, 500}, toggles);
    CHECK(undervolted.dynamic_j_per_hash == doctest::Approx(at_nominal.dynamic_j_per_hash / 4));
    CHECK(at_nominal.hashes_per_second == doctest::Approx(500e6));
    CHECK(at_nominal.power_w == doctest::Approx(at_nominal.energy_per_hash_j * 500e6));
    // Deeper stages: fewer registers, less energy per hash, a slower clock.
    CoreConfig deep;
    deep.rounds_per_stage = 8;
    const PipelineSpec d = build_pipeline(deep);
    const auto de = estimate_energy(d, n16, {0.8, 500}, measure_toggles_per_clock(d));
    CHECK(de.energy_per_hash_j < at_nominal.energy_per_hash_j);
    CHECK(estimate_clock_mhz(d, n16, 0.8) < estimate_clock_mhz(unrolled, n16, 0.8) / 4);
    CHECK(estimate_clock_mhz(unrolled, n16, 0.42) < estimate_clock_mhz(unrolled, n16, 0.8) / 2);
    // Each saving lowers energy per hash.
    for (int i = 0; i < 4; ++i) {
        CoreConfig c;
        if (i == 0) c.midstate_from_host = false;
        if (i == 1) c.precompute_job_rounds = false;
        if (i == 2) c.hardwire_padding = false;
        if (i == 3) c.cut_final_rounds = false;
        const PipelineSpec s = build_pipeline(c);
        CAPTURE(c.describe());
        CHECK(estimate_energy(s, n16, {0.8, 500}, measure_toggles_per_clock(s)).energy_per_hash_j > at_nominal.energy_per_hash_j);
    }
    // Newer nodes spend less per operation.
    CHECK(technology("7nm").e_add32_pj < n16.e_add32_pj);
    CHECK(n16.e_add32_pj < technology("45nm").e_add32_pj);
    CHECK(technology("45nm").e_add32_pj == doctest::Approx(0.1 * technology("45nm").nominal_voltage * technology("45nm").nominal_voltage / 0.81).epsilon(0.01));  // Horowitz, ISSCC 2014, at 0.9 V
    CHECK_THROWS_AS(technology("2nm"), std::invalid_argument);
}

namespace {

ChipDescription without_voltage(const char* name) {
    ChipDescription c = shipped_chip(name);
    c.voltage.reset();
    c.file = "test/" + std::string(name) + "-estimated.json";
    return c;
}

}  // namespace

TEST_CASE("held back: the S19 XP (BM1366, 5 nm, voltage estimated) is predicted within 30% of its published wall J/TH") {
    // Nothing about the BM1366 or the 5 nm entry went into the calibration, and its description
    // gives no voltage: the model picks one from its delay curve.
    const EnergyReport r = energy_report(shipped_chip("bm1366"));
    CHECK(r.voltage_source == "estimated");
    REQUIRE(r.machine);
    REQUIRE(r.machine->published);
    CHECK(r.role == "checks");
    CHECK(std::abs(r.machine->wall_j_per_th / r.machine->published->wall_j_per_th() - 1) < 0.30);
}

TEST_CASE("estimated voltages land within 15% of the supplies the S9 and S19 boards give their chips") {
    // The published supplies come from the boards (series domains), not from the model; the
    // estimate comes from the delay curve and the clock alone.
    const EnergyReport s9 = energy_report(without_voltage("bm1387"));
    const EnergyReport s19 = energy_report(without_voltage("bm1397"));
    CHECK(s9.voltage_source == "estimated");
    REQUIRE(!s9.notes.empty());
    CHECK(s9.notes[0].find("voltage estimated") != std::string::npos);
    CHECK(s9.voltage == doctest::Approx(0.42).epsilon(0.15));
    CHECK(s19.voltage == doctest::Approx(0.36).epsilon(0.15));
    // A copy of the calibration chip is only a prediction, however alike.
    CHECK(s9.role == "checks");
}

TEST_CASE("nothing depends on a chip's name or file: a renamed copy gets the same figures") {
    ChipDescription renamed = shipped_chip("bm1397");
    renamed.name = "zz-anything";
    renamed.file = "elsewhere/zz.json";
    const EnergyReport a = energy_report(shipped_chip("bm1397"));
    const EnergyReport b = energy_report(renamed);
    CHECK(b.j_per_th == a.j_per_th);
    CHECK(b.power_w == a.power_w);
    CHECK(b.area_mm2 == a.area_mm2);
    REQUIRE(b.machine);
    CHECK(b.machine->wall_j_per_th == a.machine->wall_j_per_th);
}

TEST_CASE("technology table: 180 nm to 3 nm, energy and area fall at every step, interpolation stays between") {
    const auto& t = technology_table();
    REQUIRE(t.size() >= 13);
    CHECK(largest_node_nm() == 180);
    CHECK(smallest_node_nm() == 3);
    const PipelineSpec spec = build_pipeline(CoreConfig{});
    const double toggles = measure_toggles_per_clock(spec);
    for (std::size_t i = 1; i < t.size(); ++i) {
        const TechnologyNode& big = t[i - 1];
        const TechnologyNode& small = t[i];
        CAPTURE(small.name);
        CHECK(small.node_nm < big.node_nm);
        CHECK(!small.source.empty());
        // The same design at each node's own nominal supply and the same clock.
        const auto eb = estimate_energy(spec, big, {big.nominal_voltage, 500}, toggles);
        const auto es = estimate_energy(spec, small, {small.nominal_voltage, 500}, toggles);
        CHECK(es.dynamic_j_per_hash < eb.dynamic_j_per_hash);
        CHECK(es.area_mm2 < eb.area_mm2);
        CHECK(small.nominal_voltage <= big.nominal_voltage);
        // Between the two entries, the interpolated node lies between them.
        const double mid_nm = std::sqrt(big.node_nm * small.node_nm);
        const TechnologyNode mid = technology_at(mid_nm);
        CHECK(mid.interpolated);
        CHECK_FALSE(small.interpolated);
        CHECK(mid.e_add32_pj < big.e_add32_pj);
        CHECK(mid.e_add32_pj > small.e_add32_pj);
        CHECK(mid.area_ff_um2 < big.area_ff_um2);
        CHECK(mid.area_ff_um2 > small.area_ff_um2);
    }
    // Generation over generation the modeled chips improve by the published order of magnitude:
    // Horowitz's add at 45 nm, 0.9 V is the base, and 180 nm -> 3 nm is more than 100x in energy.
    CHECK(technology("45nm").e_add32_pj == doctest::Approx(0.1 * 1.0 / 0.81).epsilon(0.01));
    CHECK(technology("180nm").e_add32_pj / technology("3nm").e_add32_pj > 100);
    CHECK(technology("16").name == "16nm");
    CHECK_THROWS_AS(technology_at(2), std::invalid_argument);
    CHECK_THROWS_AS(technology_at(200), std::invalid_argument);
    CHECK_THROWS_AS(technology("sixteen"), std::invalid_argument);
}

TEST_CASE("a node outside the table is an error naming the file and node_nm") {
    ChipDescription c = shipped_chip("asic-emu");
    c.node_nm = 1;
    try {
        energy_report(c);
        FAIL("no error");
    } catch (const ChipDescriptionError& e) {
        CHECK(std::string(e.what()).starts_with("chips/asic-emu.json: key 'node_nm': 1 nm is outside"));
    }
}

TEST_CASE("held back: the S7 (BM1385, 28 nm, voltage estimated) lands within 50% of its published wall J/TH") {
    // A wider tolerance than the S19's: the 28 nm entry is interpolated and the supply estimated.
    // (The model gives about +47%: its weakest prediction, kept visible rather than tuned away.)
    const EnergyReport r = energy_report(shipped_chip("bm1385"));
    CHECK(r.voltage_source == "estimated");
    REQUIRE(r.machine);
    REQUIRE(r.machine->published);
    CHECK(std::abs(r.machine->wall_j_per_th / r.machine->published->wall_j_per_th() - 1) < 0.50);
}
