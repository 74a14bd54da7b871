#include "cli/joules_asic_rows.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "hw_model/chip_description.hpp"
#include "hw_model/energy_report.hpp"

namespace hf::cli {
namespace {

joules::JoulesRow chip_row(const hw::ChipDescription& chip, const hw::EnergyReport& e) {
    joules::JoulesRow row;
    row.era = "asic";
    row.name = chip.name + " chip (" + joules::format_number("%g nm", e.node_nm) + ")";
    row.hashrate = e.hashrate_hs;
    row.watts = e.power_w;
    row.hashrate_source = joules::HashrateSource::Modeled;
    row.power_source = joules::PowerSource::Modeled;
    row.power_note = "hw_model energy model, one chip (no PSU, fans or control board): " + std::to_string(e.cores) + " cores at " +
                     joules::format_number("%.0f MHz", e.mhz) + ", " + joules::format_number("%.2f V", e.voltage) + " (" +
                     e.voltage_source + "), " + e.technology;
    row.source = "hw_model energy_report(" + chip.file + "): " + chip.description + " [" + e.sources + "]";
    return row;
}

joules::JoulesRow machine_row(const hw::ChipDescription& chip, const hw::EnergyReport& e) {
    const hw::MachineReport& m = *e.machine;
    joules::JoulesRow row;
    row.era = "asic";
    row.name = m.name + " as modeled (" + std::to_string(m.chips) + " x " + chip.name + ", at the wall)";
    row.hashrate = m.hashrate_ths * 1e12;
    row.watts = m.power_w;
    row.hashrate_source = joules::HashrateSource::Modeled;
    row.power_source = joules::PowerSource::Modeled;
    row.power_note = "chips x modeled chip power / PSU efficiency " + joules::format_number("%.2f", chip.machine->psu_efficiency) + " + " +
                     joules::format_number("%.0f W", chip.machine->fans_control_w) + " fans and control";
    if (m.published) {
        const double published = m.published->wall_j_per_th();
        row.power_note += e.role == "calibrates"
                              ? "; this miner CALIBRATES the model's overhead factor, so it matches its published " +
                                    joules::format_number("%.1f J/TH", published) + " by construction"
                              : "; a prediction checked against the published " + joules::format_number("%.1f J/TH", published) +
                                    ": model " + joules::format_number("%+.0f%%", (m.wall_j_per_th / published - 1) * 100);
        row.source = "hw_model energy_report(" + chip.file + ") x " + std::to_string(m.chips) + " chips [" + m.published->source + "]";
    } else {
        row.source = "hw_model energy_report(" + chip.file + ") x " + std::to_string(m.chips) + " chips";
    }
    return row;
}

}  // namespace

void asic_model_rows(std::vector<joules::JoulesRow>& rows, std::vector<std::string>& notes) {
    // Largest node first: the rows read as the ASIC generations, J/TH falling node by node.
    std::vector<hw::ChipDescription> chips = hw::shipped_chips();
    std::stable_sort(chips.begin(), chips.end(), [](const auto& a, const auto& b) { return a.node_nm > b.node_nm; });
    for (const auto& chip : chips) {
        const hw::EnergyReport e = hw::energy_report(chip);
        if (!(e.hashrate_hs > 0 && e.power_w > 0)) {
            notes.push_back("ASIC model " + chip.name + ": no usable estimate (hashrate or power is zero), left out");
            continue;
        }
        rows.push_back(chip_row(chip, e));
        if (e.machine) rows.push_back(machine_row(chip, e));
    }
    notes.push_back("ASIC rows are hw_model's energy model for the chip descriptions in chips/ (per-operation energies at 45 nm "
                    "scaled to each node, one overhead factor calibrated on the Antminer S9; every other chip is a prediction)");
}

}  // namespace hf::cli
