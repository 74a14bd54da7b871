// hashforge pipeline: watch the emulated hash core work clock by clock (terminal picture and VCD
// waveform), and compare designs (--sweep): registers, adders, latency, throughput, clock, area,
// power and energy per hash. All hardware figures are modeled.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/pipeline_designs.hpp"
#include "cli/pipeline_html.hpp"
#include "cli/core_config_args.hpp"
#include "core/block_header.hpp"
#include "core/hex.hpp"
#include "hw_model/chip_description.hpp"
#include "hw_model/core_sim.hpp"
#include "hw_model/energy_model.hpp"
#include "hw_model/energy_report.hpp"
#include "hw_model/pipeline_spec.hpp"
#include "hw_model/vcd_writer.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge pipeline [--rounds-per-stage R] [--loop L] [--midstates M] [--cycles N]\n"
    "                          [--no-midstate] [--no-precompute] [--no-hardwire] [--no-cut]\n"
    "                          [--vcd FILE] [--node NODE] [--voltage V] [--mhz F]\n"
    "       hashforge pipeline --sweep [--model NAME|FILE | --node NODE] [--voltage V]\n"
    "       hashforge pipeline --html FILE [design options] [--joules FILE]\n\n"
    "Runs the emulated SHA-256d hash core (hw_model) clock by clock on the genesis block header,\n"
    "starting a few nonces before the genesis nonce with a difficulty-1 comparator, and prints which\n"
    "nonce sits in which stage: the pipeline filling (latency) and the steady state (throughput).\n\n"
    "  --rounds-per-stage R  SHA-256 rounds per stage per clock: 1, 2, 4 ... 64 (default 8)\n"
    "  --loop L              times each stage is reused per hash: 1 (unrolled) ... 64 (default 1)\n"
    "  --midstates M         version-rolling midstates per job sharing block 2's schedule: 1, 2, 4\n"
    "  --cycles N            clocks to run (default 30)\n"
    "  --no-midstate         the core also compresses the header's first block for every nonce\n"
    "  --no-precompute       no per-job precompute of block 2's rounds 0..2 and W16, W17\n"
    "  --no-hardwire         padding words are registers and adders instead of wires\n"
    "  --no-cut              compute all 64 rounds of the second hash (no early H7 check)\n"
    "  --vcd FILE            also write a VCD waveform (GTKWave) of every register of the core,\n"
    "                        named as in the Verilog of `hashforge rtl` (docs/rtl.md)\n"
    "  --sweep               a table over configurations instead of the picture\n"
    "  --model NAME|FILE     a chip description (docs/chips.md): its node, supply (given or\n"
    "                        estimated) and clock for the energy figures instead of --node/--voltage\n"
    "  --html FILE           write one self-contained web page (no network needed) animating this\n"
    "                        design and six others clock by clock, charting the sweep and the\n"
    "                        CPU -> GPU -> ASIC hashes per joule (docs/browser.md)\n"
    "  --joules FILE         the page's joules rows from this `bench --joules --json` file\n"
    "                        (default: docs/joules.json as built in; not re-measured)\n"
    "  --node NODE           technology for the energy figures: 180nm ... 3nm (default 16nm)\n"
    "  --voltage V           supply voltage (default: the node's nominal)\n"
    "  --mhz F               clock (default: the model's estimate for the design and voltage)\n\n"
    "Area, power and energy are modeled (hw_model/energy_model.cpp), calibrated on the Antminer S9.\n";

char nonce_mark(std::uint32_t nonce, std::uint32_t first) {
    const std::uint32_t i = nonce - first;
    return static_cast<char>('A' + i % 26);
}

void print_energy_line(const hw::PipelineSpec& spec, const hw::TechnologyNode& node, double voltage, double mhz) {
    const double toggles = hw::measure_toggles_per_clock(spec);
    const auto e = hw::estimate_energy(spec, node, {voltage, mhz}, toggles);
    std::printf("modeled at %s %.2f V, %.0f MHz: %.1f MH/s per core, %.3f mm2, %.1f mW, %.1f J/TH (%.3g hashes/J); "
                "%.0f flip-flop toggles/clock (measured in cycle mode)\n",
                node.name.c_str(), voltage, e.clock_mhz, e.hashes_per_second / 1e6, e.area_mm2, e.power_w * 1e3, e.joules_per_th(),
                e.hashes_per_joule(), toggles);
}

int run_picture(const hw::CoreConfig& cfg, unsigned cycles, const std::optional<std::string>& vcd_path,
                const hw::TechnologyNode& node, double voltage, double mhz) {
    const hw::PipelineSpec spec = hw::build_pipeline(cfg);
    std::printf("core %s: %zu stages, latency %u clocks, %.4g hashes/clock, %u rounds per hash\n", cfg.describe().c_str(),
                spec.stages.size(), spec.latency_clocks, spec.hashes_per_clock, spec.rounds_per_hash);
    std::printf("hardware: %u register bits, %u 32-bit adders, %u 32-bit logic functions, %u comparator bits\n",
                spec.hardware.register_bits, spec.hardware.adders32, spec.hardware.logic32, spec.hardware.comparator_bits);
    std::printf("stages: ");
    for (std::size_t s = 0; s < spec.stages.size(); ++s) {
        if (s == 8 && spec.stages.size() > 10) {
            std::printf("... ");
            s = spec.stages.size() - 2;
        }
        std::printf("[%zu %s] ", s, spec.stages[s].name().c_str());
    }
    std::printf("\n\n");

    const std::uint32_t first = picture_first_nonce();
    hw::CycleCore core(spec);
    load_picture_job(core, cfg);

    std::ofstream vcd_file;
    std::optional<hw::VcdWriter> vcd;
    std::vector<std::pair<std::size_t, const hw::Register*>> signals;  // every register of the map, named as in the RTL
    std::size_t sig_clk = 0;
    if (vcd_path) {
        vcd_file.open(*vcd_path);
        if (!vcd_file) throw UsageError("--vcd: cannot write '" + *vcd_path + "'");
        vcd.emplace(vcd_file, "1ns");
        sig_clk = vcd->add_signal(hw::kRtlModuleName, "clk", 1);
        for (const hw::Register& r : spec.registers.registers)
            if (r.scope != hw::RegisterScope::Job && r.is_register()) signals.emplace_back(vcd->add_signal(hw::kRtlModuleName, r.name, r.width), &r);
    }
    auto sample = [&](std::uint64_t clock) {
        if (!vcd) return;
        vcd->set(sig_clk, 1);
        for (const auto& [id, r] : signals) vcd->set(id, core.value(*r));
        vcd->timestamp(clock * 2);  // rising edge (a 2 ns clock: 500 MHz)
        vcd->set(sig_clk, 0);
        vcd->timestamp(clock * 2 + 1);
    };

    const bool wide = spec.stages.size() > 64;
    std::printf("clock  pass  counter   %s  found\n", wide ? "stage occupancy (one column per stage, first 64 shown)" : "stage occupancy (one column per stage)");
    std::printf("%s\n", std::string(70, '-').c_str());
    sample(0);
    for (unsigned c = 1; c <= cycles; ++c) {
        core.clock();
        std::string row;
        for (std::size_t s = 0; s < spec.stages.size() && s < 64; ++s) {
            const auto stage = static_cast<unsigned>(s);
            row += core.stage_valid(stage) ? nonce_mark(core.stage_nonce(stage), first) : '.';
        }
        std::string found = "";
        if (core.found()) {
            found = "FOUND ";
            found += u32_to_hex(core.found_nonce());
            found.append(" (").append(std::string(1, nonce_mark(core.found_nonce(), first))).append(")");
        }
        std::printf("%5u  %4u  %08x  %s  %s\n", c, core.phase(), core.nonce_counter(), row.c_str(), found.c_str());
        sample(c);
    }
    std::printf("\nA = nonce %08x, B = the next, ...; '.' = empty stage. The genesis nonce %08x is E.\n", first, kGenesisNonce);
    std::printf("fill: the first result leaves after %u clocks (latency); then one nonce enters every %u clock%s\n",
                spec.latency_clocks, cfg.loop, cfg.loop == 1 ? "" : "s");
    print_energy_line(spec, node, voltage, mhz);
    if (vcd) {
        vcd->finish();
        std::printf("wrote %s (%u clocks)\n", vcd_path->c_str(), cycles);
    }
    return kExitOk;
}

void print_chip_line(const hw::EnergyReport& r) {
    std::printf("  %-16s %4gnm %.2f V (%s) %4.0f MHz %4u cores: %8.2f GH/s %7.2f W %7.2f J/TH chip, %6.2f mm2 of cores", r.name.c_str(),
                r.node_nm, r.voltage, r.voltage_source.c_str(), r.mhz, r.cores, r.hashrate_hs / 1e9, r.power_w, r.j_per_th, r.area_mm2);
    if (r.machine && r.machine->published)
        std::printf("; wall %.1f J/TH vs published %.1f (%s)", r.machine->wall_j_per_th, r.machine->published->wall_j_per_th(), r.role.c_str());
    std::printf("\n");
}

// `chip`: the description --model named (its node and supply set `node` and `voltage`), or null.
int run_sweep(const hw::TechnologyNode& node, double voltage, const std::optional<hw::EnergyReport>& chip) {
    if (chip)
        std::printf("Designs at %s's node and supply (%s): %s, %.3f V (%s)\n", chip->name.c_str(), chip->file.c_str(), node.name.c_str(), voltage,
                    chip->voltage_source.c_str());
    else
        std::printf("Designs at %s, %.2f V\n", node.name.c_str(), voltage);
    std::printf("(all hardware figures modeled; energy calibrated on the Antminer S9; MHz: the model's clock at this supply)\n\n");
    std::printf("%-44s %6s %8s %7s %7s %8s %6s %7s %9s %9s %8s\n", "configuration", "stages", "reg bits", "adders", "latency",
                "hash/clk", "MHz", "mm2", "mW", "J/TH", "MH/J");
    auto row = [&](const hw::CoreConfig& c) {
        const hw::PipelineSpec spec = hw::build_pipeline(c);
        const auto e = hw::estimate_energy(spec, node, {voltage, 0}, hw::measure_toggles_per_clock(spec));
        std::printf("%-44s %6zu %8u %7u %7u %8.4g %6.0f %7.4f %9.2f %9.2f %8.3g\n", c.describe().c_str(), spec.stages.size(),
                    spec.hardware.register_bits, spec.hardware.adders32, spec.latency_clocks, spec.hashes_per_clock, e.clock_mhz,
                    e.area_mm2, e.power_w * 1e3, e.joules_per_th(), e.hashes_per_joule() / 1e6);
    };
    for (const auto& c : design_grid()) row(c);
    std::printf("\nThe ASIC savings, one at a time (R1 L1):\n");
    for (const auto& c : saving_variants()) row(c);
    if (chip) {
        std::printf("\n%s as described (%u cores of %s at %.0f MHz):\n", chip->name.c_str(), chip->cores, chip->core.c_str(), chip->mhz);
        print_chip_line(*chip);
    }
    std::printf("\nShipped chips (chips/*.json, hw_model/energy_report.hpp):\n");
    for (const auto& c : hw::shipped_chips()) print_chip_line(hw::energy_report(c));
    std::printf("  calibration factor (wires, clock tree, glitches; fitted on the S9): %.3f\n", hw::calibration_factor());
    return kExitOk;
}

}  // namespace

int run_pipeline(std::span<char* const> argv) {
    static const OptionSpec specs[] = {
        {"help", 'h', false},          {"rounds-per-stage", 'r', true}, {"loop", 'l', true},      {"midstates", 0, true},
        {"cycles", 'n', true},         {"no-midstate", 0, false},       {"no-precompute", 0, false}, {"no-hardwire", 0, false},
        {"no-cut", 0, false},          {"vcd", 0, true},                {"sweep", 0, false},       {"node", 0, true},
        {"voltage", 0, true},          {"mhz", 0, true},                {"model", 'm', true},
        {"html", 0, true},             {"joules", 0, true},
    };
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
    const hw::CoreConfig cfg = core_config_from_args(args, 8);
    const unsigned cycles = static_cast<unsigned>(args.get_int("cycles", 1, 100000).value_or(30));
    // --model: a chip description sets the node and the supply (given, or the model's estimate).
    std::optional<hw::EnergyReport> chip;
    if (auto model = args.get("model")) {
        if (args.has("node")) throw UsageError("--model sets the node: give --model or --node, not both");
        chip = hw::energy_report(hw::find_chip(*model));
    }
    hw::TechnologyNode node_entry;
    try {
        node_entry = chip ? hw::technology_at(chip->node_nm) : hw::technology(args.get("node").value_or("16nm"));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--node: ") + e.what());
    }
    const hw::TechnologyNode* node = &node_entry;
    const double voltage = args.get_double("voltage").value_or(chip ? chip->voltage : node->nominal_voltage);
    if (voltage <= 0 || voltage > 2) throw UsageError("--voltage must be between 0 and 2 V");
    const double mhz = args.get_double("mhz").value_or(chip && !args.has("sweep") ? chip->mhz : 0);
    if (mhz < 0 || mhz > 10000) throw UsageError("--mhz must be between 0 and 10000");
    if (args.has("sweep")) return run_sweep(*node, voltage, chip);
    if (auto html = args.get("html")) return write_pipeline_page(*html, {cfg, node, voltage, mhz, args.get("joules")});
    return run_picture(cfg, cycles, args.get("vcd"), *node, voltage, mhz);
}

}  // namespace hf::cli
