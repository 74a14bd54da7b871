#include "cli/chip_pty.hpp"

#include <atomic>
#include <bit>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "cli/console_format.hpp"
#include "cli/miner_console.hpp"
#include "core/backends.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/pty_server.hpp"
#include "hw_model/wire_chain.hpp"

namespace hf::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

constexpr std::uint64_t kMaxScale = 65536;  // hosts treat results below 16 zero bits as no work

// Hashes per second the chain serves here: a throwaway chain of the same chips, addressed and
// given a job, stepped for `seconds` by `threads` threads (measured).
double measure_served_rate(const hw::WireChainConfig& config, double seconds, unsigned threads) {
    using namespace hw::bm13xx;
    hw::WireChainConfig c = config;
    c.difficulty_scale = 1;
    hw::WireChain chain(c);
    chain.from_host(encode_command({Cmd::ChainInactive, true, 0, 0, 0}));
    for (unsigned i = 0; i < c.chips; ++i)
        chain.from_host(encode_command({Cmd::SetAddress, false, static_cast<std::uint8_t>(i * (256 / c.chips)), 0, 0}));
    if (c.profile.model == hw::WireModel::BM1366) {
        chain.from_host(encode_command({Cmd::Write, true, 0, reg::kVersionMask, 0x9000FFFFu}));
        chain.from_host(encode_full_job({}));
    } else {
        JobPacket j;
        j.midstates.assign(c.profile.sub_cores, sha256::kInitialState);
        chain.from_host(encode_job(j));
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < threads; ++i)
        workers.emplace_back([&] {
            while (elapsed() < seconds) chain.step();
        });
    for (auto& w : workers) w.join();
    return static_cast<double>(chain.counters().hashes) / elapsed();
}

}  // namespace

int run_chip_pty(const hw::ChipDescription& chip, const ParsedArgs& args) {
    hw::WireChainConfig config;
    try {
        config.profile = hw::wire_profile(chip);
    } catch (const hw::ChipDescriptionError& e) {
        throw UsageError(std::string("--pty: ") + e.what());
    }
    config.chips = static_cast<unsigned>(args.get_int("chips", 1, 128).value_or(1));
    config.difficulty_scale = static_cast<std::uint64_t>(args.get_int("difficulty-scale", 1, kMaxScale).value_or(1));
    if (!std::has_single_bit(config.difficulty_scale))
        throw UsageError("--difficulty-scale must be a power of two from 1 to 65536 (the ticket mask is one)");
    const auto threads = static_cast<unsigned>(
        args.get_int("threads", 1, 64).value_or(std::max(1u, std::thread::hardware_concurrency())));
    config.backend = choose_backend(core_backends());
    const double served = measure_served_rate(config, 0.3, threads);
    const double silicon = chip.cores * chip.core.midstates / static_cast<double>(chip.core.loop) * chip.mhz * 1e6 *
                           config.chips;

    hw::WireChain chain(config);
    if (args.has("verbose")) chain.set_log([](const std::string& line) { say(line); });
    hw::PtyServer server(chain, args.require("pty"));
    const unsigned scale_bits = static_cast<unsigned>(std::countr_zero(config.difficulty_scale));
    char line[640];
    std::snprintf(line, sizeof line,
                  "serving %u x %s (%s, chip id 0x%04X, %u cores x %u) on %s -> %s at 115200 8N1 (raw pty); "
                  "difficulty scale %llu: results from %u leading zero bits (difficulty 1/%llu); can serve %s "
                  "(measured: %s, %u thread%s); the silicon would do %s (modeled)",
                  config.chips, chip.name.c_str(), chip.file.c_str(), config.profile.chip_id, config.profile.cores,
                  config.profile.sub_cores, server.link().c_str(), server.device().c_str(),
                  static_cast<unsigned long long>(config.difficulty_scale), 32 - scale_bits,
                  static_cast<unsigned long long>(config.difficulty_scale), hashrate_text(served).c_str(),
                  config.profile.model == hw::WireModel::BM1366 ? config.backend.name.c_str() : "midstate sha256", threads, threads == 1 ? "" : "s", hashrate_text(silicon).c_str());
    say(line);

    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    server.serve(g_stop, threads);

    const auto c = chain.counters();
    std::snprintf(line, sizeof line,
                  "stopped: %llu frames, %llu jobs, %llu results, %llu hashes; ignored: %llu bad frames, %llu bytes "
                  "skipped, %llu to unknown addresses, %llu jobs before init",
                  static_cast<unsigned long long>(c.frames), static_cast<unsigned long long>(c.jobs),
                  static_cast<unsigned long long>(c.results), static_cast<unsigned long long>(c.hashes),
                  static_cast<unsigned long long>(c.bad_frames), static_cast<unsigned long long>(c.bytes_skipped),
                  static_cast<unsigned long long>(c.no_such_address), static_cast<unsigned long long>(c.jobs_before_init));
    say(line);
    return kExitOk;
}

}  // namespace hf::cli
