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
#include "hw_model/host/device_miner.hpp"
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
    // --suggest-diff: auto (default) computes suggest_difficulty from the measured hashrate;
    // a number is sent as given; off sends nothing.
    bool suggest_auto = true;
    std::optional<double> suggest_difficulty;
    double pool_difficulty = 0.0005, pool_spm = 20;
    bool version_rolling = true, tls_verify = true, allow_redirect = false;
    std::string cert;
    std::string backend;
    ApiAllowList api_allow;
    std::optional<std::pair<std::string, std::uint16_t>> api_listen;
    std::optional<hw::host::DeviceOptions> device;  // --device: chips on a serial line hash instead
    std::optional<std::pair<std::string, std::uint16_t>> http_listen;  // --http: the status page
};

const char* mine_help();
// Throws UsageError naming the option or the config file at fault.
MineSettings read_mine_settings(std::span<char* const> argv);

stratum::RunnerOptions runner_options(const MineSettings& s);
EngineConfig engine_config(const MineSettings& s);
stratum::PoolOptions embedded_pool_options(const MineSettings& s);

// --suggest-diff auto: the difficulty giving one share per `seconds_per_share` at `hashrate`
// (hashes per second), never below `floor` (the difficulty the pool is known to set, or 0).
double auto_suggested_difficulty(double hashrate, double seconds_per_share, double floor);
// The share interval auto aims at against a remote pool (public pools and ESP-Miner devices work
// at a share every 10-20 s); against the built-in pool, its --pool-spm goal.
inline constexpr double kAutoSecondsPerShare = 15;

}  // namespace hf::cli
