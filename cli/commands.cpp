#include "cli/commands.hpp"

namespace hf::cli {

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"selftest", "check every SHA-256 implementation and backend against known answers", &run_selftest},
        {"verify", "check one share of a Stratum job, as a pool operator would", &run_verify},
        {"bench", "measure sha256d hashrate per backend and thread count", &run_bench},
        {"pipeline", "watch the emulated ASIC hash core clock by clock; compare designs (--sweep)", &run_pipeline},
        {"chip", "one described chip (chips/*.json or a file): its modeled energy report (--energy)", &run_chip},
        {"rtl", "write the hash core as Verilog with a self-checking testbench; Yosys counts (--report)", &run_rtl},
        {"mine", "mine against Stratum pools (with no -o, against the built-in pool)", &run_mine},
        {"pool", "run the built-in Stratum V1 pool", &run_pool},
    };
    return kCommands;
}

}  // namespace hf::cli
