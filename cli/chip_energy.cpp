#include "cli/chip_energy.hpp"

#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "hw_model/energy_model.hpp"

namespace hf::cli {
namespace {

std::string line(const char* fmt, auto... values) {
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, values...);
    return buf;
}

}  // namespace

nlohmann::json energy_report_json(const hw::EnergyReport& r) {
    nlohmann::json j;
    j["name"] = r.name;
    j["file"] = r.file;
    j["basis"] = "modeled";
    j["node_nm"] = r.node_nm;
    j["technology"] = r.technology;
    j["cores"] = r.cores;
    j["core"] = r.core;
    j["mhz"] = r.mhz;
    j["voltage"] = r.voltage;
    j["voltage_source"] = r.voltage_source;
    j["hashrate_ghs"] = r.hashrate_hs / 1e9;
    j["power_w"] = r.power_w;
    j["j_per_th"] = r.j_per_th;
    j["area_mm2"] = r.area_mm2;
    if (r.machine) {
        j["machine"] = r.machine->name;
        j["machine_chips"] = r.machine->chips;
        j["machine_hashrate_ths"] = r.machine->hashrate_ths;
        j["machine_power_w"] = r.machine->power_w;
        j["wall_j_per_th"] = r.machine->wall_j_per_th;
        if (r.machine->published) {
            j["published_wall_j_per_th"] = r.machine->published->wall_j_per_th();
            j["published_source"] = r.machine->published->source;
            j["role"] = r.role;
        }
    }
    j["notes"] = r.notes;
    j["sources"] = r.sources;
    return j;
}

std::string energy_report_text(const hw::EnergyReport& r) {
    std::string s;
    s += r.name + " (" + r.file + "): every figure modeled by hw_model's energy model unless marked\n";
    s += line("  node         %g nm (technology %s)\n", r.node_nm, r.technology.c_str());
    s += line("  cores        %u x %s\n", r.cores, r.core.c_str());
    s += line("  clock        %.1f MHz (given)\n", r.mhz);
    s += line("  voltage      %.3f V (%s)\n", r.voltage, r.voltage_source.c_str());
    s += line("  hashrate     %.2f GH/s per chip\n", r.hashrate_hs / 1e9);
    s += line("  power        %.2f W per chip (hash cores: dynamic + leakage)\n", r.power_w);
    s += line("  efficiency   %.2f J/TH at the chip\n", r.j_per_th);
    s += line("  area         %.2f mm2 of hash cores (no I/O, PLL or pads)\n", r.area_mm2);
    if (r.machine) {
        const hw::MachineReport& m = *r.machine;
        s += line("machine: %s, %u chips\n", m.name.c_str(), m.chips);
        s += line("  hashrate     %.2f TH/s\n", m.hashrate_ths);
        s += line("  wall power   %.0f W (chips / PSU efficiency + fans and control)\n", m.power_w);
        s += line("  efficiency   %.2f J/TH at the wall\n", m.wall_j_per_th);
        if (m.published) {
            const double published = m.published->wall_j_per_th();
            s += line("  published    %.2f J/TH at the wall (reference: %s)\n", published, m.published->source.c_str());
            s += r.role == "calibrates"
                     ? std::string("  this machine calibrates the model (its one overhead factor), so it matches by construction\n")
                     : line("  model vs published: %+.1f%%, a prediction: nothing about this chip was fitted\n",
                            (m.wall_j_per_th / published - 1) * 100);
        }
    }
    for (const auto& n : r.notes) s += "note: " + n + "\n";
    s += line("calibration: one overhead factor %.3f, fitted on chips/%s.json's machine only\n", hw::calibration_factor(),
              hw::kCalibrationChip);
    return s;
}

int run_chip_energy(const hw::ChipDescription& chip, bool json) {
    const hw::EnergyReport r = hw::energy_report(chip);
    if (json) std::cout << energy_report_json(r).dump(2) << "\n";
    else std::cout << energy_report_text(r);
    return kExitOk;
}

}  // namespace hf::cli
