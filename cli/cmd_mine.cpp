// hashforge mine: the miner. Connects to Stratum pools (or, with no -o, to the built-in pool started
// in-process on loopback), hashes with the search engine, submits re-verified shares, and reports
// on the console and, optionally, a cgminer-compatible API.
//   options and config builders: mine_options.cpp; the running miner: miner_session.cpp;
//   console lines and summary: miner_console.cpp; the API's replies: miner_api.cpp.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/mine_options.hpp"
#include "cli/miner_console.hpp"
#include "cli/miner_session.hpp"

namespace hf::cli {

int run_mine(std::span<char* const> argv) {
    MineSettings settings = read_mine_settings(argv);
    if (settings.help) {
        std::cout << mine_help();
        return kExitOk;
    }
    MinerSession miner(std::move(settings));
    if (auto error = miner.start_api()) {
        std::cerr << "hashforge mine: " << *error << "\n";
        return kExitFailure;
    }
    if (auto error = miner.start_http()) {
        std::cerr << "hashforge mine: " << *error << "\n";
        return kExitFailure;
    }
    miner.run();
    const MinerState final_state = miner.finish();
    print_summary(final_state, miner.embedded_pool_stats());
    return kExitOk;
}

}  // namespace hf::cli
