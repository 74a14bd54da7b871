#include "cli/commands.hpp"

namespace hf::cli {

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"selftest", "check every SHA-256 implementation and backend against known answers", &run_selftest},
        {"verify", "check one share of a Stratum job, as a pool operator would", &run_verify},
        {"bench", "measure sha256d hashrate per backend and thread count", &run_bench},
        {"pipeline", "watch the emulated ASIC hash core clock by clock; compare designs (--sweep)", &run_pipeline},
    };
    return kCommands;
}

}  // namespace hf::cli
