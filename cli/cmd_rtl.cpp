// hashforge rtl: the hash core's Verilog from the pipeline description (hw_model/rtl_writer), a
// self-checking testbench holding what the C++ cycle model finds, and (--report) Yosys's
// flip-flop and cell counts beside the emulator's area model. docs/rtl.md tells the whole story.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/core_config_args.hpp"
#include "core/block_header.hpp"
#include "cli/rtl_report.hpp"
#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"
#include "hw_model/rtl_writer.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge rtl [--rounds-per-stage R] [--loop L] [--midstates M]\n"
    "                     [--no-midstate] [--no-precompute] [--no-hardwire] [--no-cut]\n"
    "                     [--nonces N] [--zero-bits Z] -o DIR [--report]\n\n"
    "Writes the emulated hash core as synthesizable Verilog-2005, generated from the same pipeline\n"
    "description as `hashforge pipeline` (one register per entry of its register map):\n"
    "  DIR/hf_core.v        stages, nonce counter, H7/ticket-mask comparator (the core)\n"
    "  DIR/hf_top.v         hf_core plus its job registers behind a write port\n"
    "  DIR/hf_tb.v          testbench: the genesis header, the nonces and clocks the C++ cycle model\n"
    "                       finds; exits 0 only when the RTL strobes exactly there\n"
    "  DIR/hf_core_probe.h  reads every register of a Verilated hf_core (co-simulation)\n"
    "Run it:  iverilog -g2005 -o sim DIR/*.v && vvp sim\n\n"
    "  --rounds-per-stage R  SHA-256 rounds per stage per clock: 1, 2, 4 ... 64 (default 1)\n"
    "  --loop L              times each stage is reused per hash: 1 (unrolled) ... 64 (default 1)\n"
    "  --midstates M         version-rolling midstates per job: 1, 2, 4\n"
    "  --no-midstate, --no-precompute, --no-hardwire, --no-cut   as in `hashforge pipeline`\n"
    "  --nonces N            nonces in the testbench's job (default 64, ending past the genesis nonce)\n"
    "  --zero-bits Z         the testbench's comparator floor in leading zero bits (default 5)\n"
    "  -o, --output DIR      where to write (created if missing)\n"
    "  --report              synthesize with Yosys (synth -top hf_top; stat) and print its flip-flop\n"
    "                        and cell counts beside the area model's (needs yosys on PATH)\n";

// Leaves an identical file untouched, so builds that compile the RTL (Verilator) do not redo it.
void write_file(const std::filesystem::path& path, const std::string& text) {
    {
        std::ifstream old(path, std::ios::binary);
        if (old && std::string(std::istreambuf_iterator<char>(old), {}) == text) return;
    }
    std::ofstream f(path);
    if (!f || !(f << text)) throw std::runtime_error("cannot write " + path.string());
}

int print_report(const hw::PipelineSpec& spec, const std::filesystem::path& dir) {
    const auto synth = yosys_synthesize(dir);
    if (!synth) {
        std::fprintf(stderr, "hashforge rtl: yosys failed (is it installed? scripts/deps.sh installs it)\n");
        return kExitFailure;
    }
    const AreaComparison c = compare_area(spec, *synth);
    std::printf("%s\n", format_area_comparison(spec, c).c_str());
    return kExitOk;
}

}  // namespace

int run_rtl(std::span<char* const> argv) {
    std::vector<OptionSpec> specs(std::begin(kCoreConfigOptions), std::end(kCoreConfigOptions));
    specs.insert(specs.end(), {{"help", 'h', false}, {"output", 'o', true}, {"report", 0, false}, {"nonces", 0, true}, {"zero-bits", 0, true}});
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
    const hw::CoreConfig cfg = core_config_from_args(args, 1);
    const auto out = args.get("output");
    if (!out) throw UsageError("rtl needs -o DIR (where to write the Verilog)");
    const auto nonces = static_cast<std::uint32_t>(args.get_int("nonces", 1, 1 << 20).value_or(64));
    const auto zero_bits = static_cast<unsigned>(args.get_int("zero-bits", 0, 64).value_or(5));
    const hw::PipelineSpec spec = hw::build_pipeline(cfg);

    const std::filesystem::path dir(*out);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UsageError("-o: cannot create '" + dir.string() + "': " + ec.message());

    // The testbench's job: the genesis header, version-rolled per lane, nonces ending past its nonce.
    std::vector<std::uint32_t> versions;
    for (unsigned m = 0; m < cfg.midstates; ++m) versions.push_back(1u | (m << 13));
    const std::uint32_t first = kGenesisNonce - (nonces > 8 ? nonces - 8 : 0);
    const hw::CoreJob job = hw::core_job_from_header(genesis_block_header().serialize(), versions, zero_bits);
    hw::TestbenchJob tb = hw::model_testbench_job(spec, job, first, nonces);
    tb.description = "Job: the genesis block header, " + std::to_string(nonces) + " nonces from " + std::to_string(first) + ", " +
                     std::to_string(zero_bits) + " leading zero bits.";

    write_file(dir / "hf_core.v", hw::core_verilog(spec));
    write_file(dir / "hf_top.v", hw::top_verilog(spec));
    write_file(dir / "hf_tb.v", hw::testbench_verilog(spec, tb));
    write_file(dir / "hf_core_probe.h", hw::verilator_probe_header(spec));
    unsigned regs = 0;
    for (const hw::Register& r : spec.registers.registers) regs += r.is_register() && r.scope != hw::RegisterScope::Job;
    std::printf("core %s: %zu stages, latency %u clocks, %u named registers (%u flip-flop bits modeled)\n", cfg.describe().c_str(),
                spec.stages.size(), spec.latency_clocks, regs, spec.hardware.register_bits);
    std::printf("wrote %s/{hf_core.v, hf_top.v, hf_tb.v, hf_core_probe.h}; the testbench expects %zu strobes in %llu clocks\n",
                dir.string().c_str(), tb.hits.size(), static_cast<unsigned long long>(tb.clocks));
    std::printf("simulate: iverilog -g2005 -o sim %s/*.v && vvp sim\n", dir.string().c_str());
    if (args.has("report")) return print_report(spec, dir);
    return kExitOk;
}

}  // namespace hf::cli
