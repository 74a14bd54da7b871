// hashforge chip: one described chip (chips/*.json or any description file). A mode says what to
// do with it; each mode lives in its own file (chip_energy.cpp: --energy, chip_pty.cpp: --pty).
#include <iostream>

#include "cli/args.hpp"
#include "cli/chip_energy.hpp"
#include "cli/chip_pty.hpp"
#include "cli/commands.hpp"
#include "hw_model/chip_description.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge chip --model NAME|FILE --energy [--json]\n"
    "       hashforge chip --model NAME|FILE --pty PATH [--chips N] [--difficulty-scale S] [-t N] [-v]\n\n"
    "One chip, as a description file says it is (docs/chips.md has the format; the shipped ones are\n"
    "in chips/: bm1387, bm1397, bm1366, asic-emu and one per ASIC generation).\n\n"
    "  --model NAME|FILE  a shipped chip by name, or a description file (a path, or ending in .json)\n"
    "  --energy           the modeled report: hashrate, power, J/TH, area of the hash cores, clock and\n"
    "                     voltage (given or estimated); with a machine, its hashrate and wall J/TH\n"
    "  --json             the report as one JSON object\n"
    "  --pty PATH         serve N emulated chips on a pseudo-terminal (PATH: a symlink to it) until\n"
    "                     SIGINT/SIGTERM, speaking the real chips' serial protocol (protocol key:\n"
    "                     bm1366 or bm1397); host software for real chips drives it unchanged\n"
    "  --chips N          chips on the chain (default 1)\n"
    "  --difficulty-scale S  divide the chips' difficulty (ticket mask, difficulty-1 floor) by S, a\n"
    "                     power of two up to 65536 (default 1, as silicon): this CPU is ~10^5 times slower\n"
    "  -t, --threads N    hashing threads (default: one per core)\n"
    "  -v, --verbose      log every packet in and out, decoded\n\n"
    "docs/serial-chip.md describes the wire as emulated and what differs from silicon.\n"
    "A description that cannot be read, or a key that is missing or wrong, is one line naming the\n"
    "file and the key, and exit status 2.\n";

}  // namespace

int run_chip(std::span<char* const> argv) {
    static const OptionSpec specs[] = {
        {"help", 'h', false}, {"model", 'm', true}, {"energy", 0, false}, {"json", 0, false},
        {"pty", 0, true},     {"chips", 0, true},  {"difficulty-scale", 0, true}, {"threads", 't', true},
        {"verbose", 'v', false},
    };
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
    // A broken description propagates as one line naming the file and key (main: exit 2).
    const hw::ChipDescription chip = hw::find_chip(args.require("model"));
    if (args.has("energy")) return run_chip_energy(chip, args.has("json"));
    if (args.has("pty")) return run_chip_pty(chip, args);
    throw UsageError("say what to do with the chip: --energy (the modeled report) or --pty PATH (serve it)");
}

}  // namespace hf::cli
