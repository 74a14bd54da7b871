#include "cli/joules_asic_rows.hpp"

#include <cstdio>
#include <stdexcept>

#include "hw_model/energy_report.hpp"

namespace hf::cli {

void asic_model_rows(std::vector<joules::JoulesRow>& rows, std::vector<std::string>& notes) {
    for (const auto& name : hw::chip_model_names()) {
        const hw::ChipModel& model = hw::chip_model(name);
        const hw::EnergyReport e = hw::energy_report(name);
        if (!(e.hashrate_hs > 0 && e.power_w > 0)) {
            notes.push_back("ASIC model " + name + ": no usable estimate (hashrate or power is zero), left out");
            continue;
        }
        joules::JoulesRow chip;
        chip.era = "asic";
        chip.name = name + " chip";
        chip.hashrate = e.hashrate_hs;
        chip.watts = e.power_w;
        chip.hashrate_source = joules::HashrateSource::Modeled;
        chip.power_source = joules::PowerSource::Modeled;
        chip.power_note = "hw_model energy model, one chip (no PSU, fans or control board): " + std::to_string(e.cores) +
                          " cores at " + joules::format_number("%.0f MHz", e.clock_mhz) + ", " + joules::format_number("%.2f V", e.voltage) + ", " + e.node;
        chip.source = "hw_model energy_report('" + name + "'): " + model.description + " [" + e.sources + "]";
        rows.push_back(chip);

        if (model.miner && e.modeled_wall_j_per_th) {
            const hw::PublishedMiner& m = *model.miner;
            joules::JoulesRow miner;
            miner.era = "asic";
            miner.name = m.name + " as modeled (" + std::to_string(m.chips) + " x " + name + ", at the wall)";
            miner.hashrate = e.hashrate_hs * m.chips;
            miner.watts = *e.modeled_wall_j_per_th * miner.hashrate / 1e12;
            miner.hashrate_source = joules::HashrateSource::Modeled;
            miner.power_source = joules::PowerSource::Modeled;
            const double off = *e.modeled_wall_j_per_th / *e.published_wall_j_per_th - 1;
            miner.power_note = "chips x modeled chip power / PSU efficiency " + joules::format_number("%.2f", m.psu_efficiency) + " + " +
                               joules::format_number("%.0f W", m.fans_control_w) + " fans and control (assumed); ";
            miner.power_note += e.role == "calibrates"
                                    ? "this miner CALIBRATES the model's overhead factor, so it matches its published " +
                                          joules::format_number("%.1f J/TH", *e.published_wall_j_per_th) + " by construction"
                                    : "checked against the published " + joules::format_number("%.1f J/TH", *e.published_wall_j_per_th) +
                                          ": model " + joules::format_number("%+.0f%%", off * 100);
            miner.source = "hw_model energy_report('" + name + "') x " + std::to_string(m.chips) + " chips [" + m.source + "]";
            rows.push_back(miner);
        }
    }
    notes.push_back("ASIC rows are hw_model's energy model (per-operation energies at 45 nm scaled to the node, one "
                    "overhead factor calibrated on the Antminer S9 and only checked on the S19)");
}

}  // namespace hf::cli
