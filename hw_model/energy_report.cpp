#include "hw_model/energy_report.hpp"

#include <map>
#include <mutex>
#include <stdexcept>

#include "hw_model/energy_model.hpp"

namespace hf::hw {
namespace {

// Published machines (wall figures from Bitmain's specifications as widely reported):
//  - Antminer S9 (2016): 13.5 TH/s, 1323 W at the wall, 3 boards x 63 BM1387 = 189 chips.
//  - Antminer S19 (2020): 95 TH/s, 3250 W at the wall, 3 boards x 76 BM1397 = 228 chips.
// PSU efficiency 0.93 (Bitmain APW3++ / APW12 specifications quote about 93%); fans and control
// board 40 W (S9, two fans) and 80 W (S19, four fans): our assumptions.
PublishedMiner s9() { return {"Antminer S9", 13.5, 1323, 189, 0.93, 40, "Bitmain S9 specification: 13.5 TH/s, 1323 W, 189 x BM1387"}; }
PublishedMiner s19() { return {"Antminer S19", 95, 3250, 228, 0.93, 80, "Bitmain S19 specification: 95 TH/s, 3250 W, 228 x BM1397"}; }

std::vector<ChipModel> make_models() {
    std::vector<ChipModel> v;
    {
        // BM1387 (TSMC 16 nm FinFET): 114 fully pipelined cores (cgminer's Bitmain driver and the
        // chip's public notes); one midstate per job. Clock: the chip's share of the S9 hashrate
        // (13.5 TH/s / 189 = 71.4 GH/s) over 114 cores = 626 MHz. Voltage: a hashboard runs its 63
        // chips as 21 series domains of 3 at about 8.8 V, so ~0.42 V per chip.
        ChipModel m;
        m.name = "bm1387-16nm";
        m.description = "Bitmain BM1387 (Antminer S9): 114 unrolled cores, 16 nm";
        m.node = "16nm";
        m.core = CoreConfig{};
        m.cores = 114;
        m.frequency_mhz = 13.5e12 / 189 / 114 / 1e6;
        m.voltage = 0.42;
        m.miner = s9();
        m.sources = "cores: cgminer Bitmain driver / public BM1387 notes; clock: S9 hashrate / chips / cores; voltage: ~8.8 V board / 21 series domains";
        v.push_back(m);
    }
    {
        // BM1397 (TSMC 7 nm): 168 cores x 4 small cores = 672 hash engines (ESP-Miner's BM1397
        // driver constants), four midstates per job (the job packet carries four). Clock: 95 TH/s
        // / 228 / 672 = 620 MHz. Voltage: 76 chips per board as 38 series domains of 2 at about
        // 13.6 V, so ~0.36 V per chip.
        ChipModel m;
        m.name = "bm1397-7nm";
        m.description = "Bitmain BM1397 (Antminer S19): 672 unrolled engines, 4 midstates, 7 nm";
        m.node = "7nm";
        m.core = CoreConfig{};
        m.core.midstates = 4;
        m.cores = 672 / 4;  // each engine here hashes four midstates per clock
        m.frequency_mhz = 95e12 / 228 / 672 / 1e6;
        m.voltage = 0.36;
        m.miner = s19();
        m.sources = "engines: ESP-Miner BM1397 constants (168 x 4); clock: S19 hashrate / chips / engines; voltage: ~13.6 V board / 38 series domains";
        v.push_back(m);
    }
    {
        // The design `--backend asic-emu` runs: the default core, 4 per chip, 500 MHz, 16 nm at its
        // nominal 0.8 V (no undervolting, unlike a production miner).
        ChipModel m;
        m.name = "asic-emu";
        m.description = "hashforge's emulated chip (asic-emu backend): 4 default cores at 500 MHz, 16 nm, 0.8 V";
        m.node = "16nm";
        m.core = CoreConfig{};
        m.cores = 4;
        m.frequency_mhz = 500;
        m.voltage = 0.8;
        m.sources = "hashforge defaults";
        v.push_back(m);
    }
    return v;
}

const std::vector<ChipModel>& models() {
    static const std::vector<ChipModel> m = make_models();
    return m;
}

double toggles_for(const CoreConfig& c) {
    static std::mutex mu;
    static std::map<std::string, double> cache;
    const std::lock_guard lock(mu);
    const std::string key = c.describe();
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, measure_toggles_per_clock(build_pipeline(c))).first;
    return it->second;
}

EnergyReport report(const ChipModel& m, bool calibrated) {
    const PipelineSpec spec = build_pipeline(m.core);
    const TechnologyNode& node = technology(m.node);
    const double toggles = toggles_for(m.core);
    const EnergyEstimate e = estimate_energy(spec, node, {m.voltage, m.frequency_mhz}, toggles, calibrated);
    EnergyReport r;
    r.name = m.name;
    r.node = m.node;
    r.cores = m.cores;
    r.voltage = m.voltage;
    r.clock_mhz = e.clock_mhz;
    r.hashrate_hs = e.hashes_per_second * m.cores;
    r.power_w = e.power_w * m.cores;
    r.j_per_th = e.joules_per_th();
    r.hashes_per_joule = e.hashes_per_joule();
    r.area_mm2 = e.area_mm2 * m.cores;
    r.toggles_per_clock_per_core = toggles;
    r.sources = m.sources + "; technology: " + node.source;
    if (m.miner) {
        const PublishedMiner& p = *m.miner;
        const double wall_w = r.power_w * p.chips / p.psu_efficiency + p.fans_control_w;
        r.modeled_wall_j_per_th = wall_w / (r.hashrate_hs * p.chips / 1e12);
        r.published_wall_j_per_th = p.wall_j_per_th();
        r.role = m.name == "bm1387-16nm" ? "calibrates" : "checks";
        r.sources += "; published: " + p.source;
    }
    return r;
}

}  // namespace

double calibration_factor() {
    // One factor for everything an operation count misses, fitted so the BM1387 model meets the
    // S9's published wall figure. The S19 is then a check, not a fit.
    static const double factor = [] {
        const ChipModel& m = chip_model("bm1387-16nm");
        const PublishedMiner& p = *m.miner;
        const EnergyReport bare = report(m, false);
        const PipelineSpec spec = build_pipeline(m.core);
        const EnergyEstimate e = estimate_energy(spec, technology(m.node), {m.voltage, m.frequency_mhz}, bare.toggles_per_clock_per_core, false);
        const double chip_j_per_hash = (p.wall_power_w - p.fans_control_w) * p.psu_efficiency / p.chips / bare.hashrate_hs;
        const double leakage_j_per_hash = e.leakage_w / e.hashes_per_second;
        return (chip_j_per_hash - leakage_j_per_hash) / e.dynamic_j_per_hash;
    }();
    return factor;
}

std::vector<std::string> chip_model_names() {
    std::vector<std::string> n;
    for (const auto& m : models()) n.push_back(m.name);
    return n;
}

const ChipModel& chip_model(const std::string& name) {
    for (const auto& m : models())
        if (m.name == name) return m;
    throw std::invalid_argument("unknown chip model '" + name + "' (known: bm1387-16nm, bm1397-7nm, asic-emu)");
}

EnergyReport energy_report(const std::string& name) { return report(chip_model(name), true); }
EnergyReport energy_report(const ChipModel& model) { return report(model, true); }

}  // namespace hf::hw
