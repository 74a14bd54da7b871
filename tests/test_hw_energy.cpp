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
    CHECK(s19.machine->published->wall_j_per_th() == doctest::Approx(3250.0 / 95));
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
