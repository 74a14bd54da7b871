#include "hw_model/energy_report.hpp"

#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>

#include "hw_model/energy_model.hpp"

namespace hf::hw {
namespace {

double toggles_for(const CoreConfig& c) {
    static std::mutex mu;
    static std::map<std::string, double> cache;
    const std::lock_guard lock(mu);
    const std::string key = c.describe();
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, measure_toggles_per_clock(build_pipeline(c))).first;
    return it->second;
}

TechnologyNode technology_of(const ChipDescription& chip) {
    try {
        return technology_at(chip.node_nm);
    } catch (const std::invalid_argument& e) {
        throw ChipDescriptionError(chip.file + ": key 'node_nm': " + e.what());
    }
}

std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

EnergyReport report(const ChipDescription& chip, bool calibrated) {
    const PipelineSpec spec = build_pipeline(chip.core);
    const TechnologyNode node = technology_of(chip);
    EnergyReport r;
    r.name = chip.name;
    r.file = chip.file;
    r.node_nm = chip.node_nm;
    r.technology = node.name;
    r.cores = chip.cores;
    r.core = chip.core.describe();
    r.mhz = chip.mhz;
    if (chip.voltage) {
        r.voltage = *chip.voltage;
        r.voltage_source = "given";
    } else {
        bool capped = false;
        r.voltage = estimate_voltage(spec, node, chip.mhz, &capped);
        r.voltage_source = "estimated";
        r.notes.push_back(capped ? "voltage estimated: " + format("%.0f MHz", chip.mhz) + " is beyond this core at " + node.name +
                                       " even at 1.2 x nominal; capped there at " + format("%.3f V", r.voltage)
                                 : "voltage estimated: the lowest supply at which this core reaches " + format("%.0f MHz", chip.mhz) +
                                       " at " + node.name + " (the model's delay curve)");
    }
    r.toggles_per_clock_per_core = toggles_for(chip.core);
    const EnergyEstimate e = estimate_energy(spec, node, {r.voltage, chip.mhz}, r.toggles_per_clock_per_core, calibrated);
    r.hashrate_hs = e.hashes_per_second * chip.cores;
    r.power_w = e.power_w * chip.cores;
    r.j_per_th = e.joules_per_th();
    r.hashes_per_joule = e.hashes_per_joule();
    r.area_mm2 = e.area_mm2 * chip.cores;
    if (node.interpolated) r.notes.push_back("technology interpolated: " + node.name);
    for (const auto& [key, text] : chip.sources) r.sources += (r.sources.empty() ? "" : "; ") + key + ": " + text;
    r.sources += std::string(r.sources.empty() ? "" : "; ") + "technology: " + node.source;
    if (chip.machine) {
        const MachineDescription& m = *chip.machine;
        MachineReport mr;
        mr.name = m.name;
        mr.chips = m.chips;
        mr.hashrate_ths = r.hashrate_hs * m.chips / 1e12;
        mr.power_w = r.power_w * m.chips / m.psu_efficiency + m.fans_control_w;
        mr.wall_j_per_th = mr.power_w / mr.hashrate_ths;
        mr.published = m.published;
        r.machine = mr;
        if (m.published) r.sources += "; published: " + m.published->source;
    }
    return r;
}

const ChipDescription& calibration_chip() {
    const ChipDescription& chip = shipped_chip(kCalibrationChip);
    if (!chip.machine || !chip.machine->published)
        throw ChipDescriptionError(chip.file + ": key 'machine.published': the calibration chip needs its machine's published figures");
    return chip;
}

}  // namespace

double calibration_factor() {
    // One factor for everything an operation count misses, fitted so the calibration chip's model
    // meets its machine's published wall figure. Every other chip is then a prediction.
    static const double factor = [] {
        const ChipDescription& chip = calibration_chip();
        const MachineDescription& m = *chip.machine;
        const EnergyReport bare = report(chip, false);
        const PipelineSpec spec = build_pipeline(chip.core);
        const EnergyEstimate e = estimate_energy(spec, technology_of(chip), {bare.voltage, chip.mhz}, bare.toggles_per_clock_per_core, false);
        const double chip_j_per_hash = (m.published->wall_power_w - m.fans_control_w) * m.psu_efficiency / m.chips / bare.hashrate_hs;
        const double leakage_j_per_hash = e.leakage_w / e.hashes_per_second;
        return (chip_j_per_hash - leakage_j_per_hash) / e.dynamic_j_per_hash;
    }();
    return factor;
}

EnergyReport energy_report(const ChipDescription& chip) {
    EnergyReport r = report(chip, true);
    if (r.machine && r.machine->published) r.role = chip.file == calibration_chip().file ? "calibrates" : "checks";
    return r;
}

}  // namespace hf::hw
