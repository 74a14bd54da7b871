// `hashforge mine` options: the command line over a -c config file's values, read once into
// MineSettings, and the builders that turn settings into the stratum/engine configurations.
// A new miner option (a device, an HTTP status page, ...) is added here: its spec and help line,
// a field of MineSettings, and the builder that consumes it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cli/miner_api.hpp"
#include "core/search_engine.hpp"
#include "stratum/client_runner.hpp"
#include "stratum/pool.hpp"

namespace hf::cli {

struct MineSettings {
    bool help = false;
    bool quiet = false, debug = false, dump = false;
    std::vector<stratum::PoolConfig> pools;  // empty: mine against the built-in pool
    std::string embedded_user;               // worker name against the built-in pool
    std::optional<double> threads;
    double status_interval = 5;
    std::optional<double> duration;
    std::string duration_text;  // --duration as given, for the log
    double watchdog = 120;
    std::optional<double> suggest_difficulty;
    double pool_difficulty = 0.0005, pool_spm = 20;
    bool version_rolling = true, tls_verify = true, allow_redirect = false;
    std::string cert;
    std::string backend;
    ApiAllowList api_allow;
    std::optional<std::pair<std::string, std::uint16_t>> api_listen;
    std::optional<std::pair<std::string, std::uint16_t>> http_listen;  // --http: the status page
};

const char* mine_help();
// Throws UsageError naming the option or the config file at fault.
MineSettings read_mine_settings(std::span<char* const> argv);

stratum::RunnerOptions runner_options(const MineSettings& s);
EngineConfig engine_config(const MineSettings& s);
stratum::PoolOptions embedded_pool_options(const MineSettings& s);

}  // namespace hf::cli
