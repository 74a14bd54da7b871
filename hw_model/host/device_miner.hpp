// Mining with a chain of real BM13xx chips on a serial device (or anything that answers like one).
// Takes jobs as the search engine does (EngineJob: pool job + extranonce1/2 size + difficulty +
// version mask), keeps the chips busy with fresh headers (one extranonce2 per job sent, at the
// interval the chips need to sweep one), rebuilds every result into a share on the host, re-verifies
// it there, and reports hashrate the way ESP-Miner and cgminer do: from the results' difficulty.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/search_engine.hpp"
#include "hw_model/host/bm13xx_host.hpp"

namespace hf::hw::host {

struct DeviceOptions {
    std::string path;
    ChipModel model = ChipModel::BM1366;
    unsigned chips = 1;                  // expected on the chain (0: whatever answers)
    std::optional<double> frequency_mhz; // default: the model's
    unsigned baud = 115200;
};

// "bm1366:/dev/ttyUSB0" -> model and path. Throws std::invalid_argument saying what is wrong.
DeviceOptions parse_device_spec(const std::string& spec);

struct DeviceStats {
    HostCounters host;
    std::uint64_t jobs_sent = 0;
    std::uint64_t shares = 0;
    double job_interval_s = 0;
    unsigned result_floor_bits = 0;  // lowest leading-zero count seen in a result (the chips' floor)
};

class DeviceMiner {
public:
    using ShareCallback = std::function<void(const FoundShare&)>;
    using LogCallback = std::function<void(const std::string&)>;

    // Opens the device and runs the init sequence (throws std::runtime_error if the chain does
    // not answer as expected). `on_share` is called from the device thread.
    DeviceMiner(DeviceOptions options, ShareCallback on_share, LogCallback log = {});
    ~DeviceMiner();
    DeviceMiner(const DeviceMiner&) = delete;
    DeviceMiner& operator=(const DeviceMiner&) = delete;

    std::uint64_t set_job(EngineJob job);  // returns its generation, as SearchEngine::set_job
    void pause();
    HashrateSnapshot hashrate() const;     // estimated from results (see the header comment)
    DeviceStats stats() const;
    std::string name() const;              // "bm1366 x2 @ 485 MHz on /tmp/chip"

private:
    struct Sent;
    void run();
    void send_next(bool fresh);
    void handle(const HostResult& r);

    DeviceOptions options_;
    ShareCallback on_share_;
    LogCallback log_;
    std::unique_ptr<SerialPort> port_;
    std::unique_ptr<Bm13xxHost> host_;
    double job_interval_s_ = 1;

    mutable std::mutex mutex_;
    std::optional<EngineJob> job_;
    std::uint64_t generation_ = 0, last_clean_ = 0, sent_generation_ = 0;
    bool job_changed_ = false;
    std::uint64_t en2_counter_ = 0;
    std::deque<std::shared_ptr<Sent>> sent_;  // recent jobs sent, by tag
    std::uint64_t next_tag_ = 0;
    std::deque<std::pair<std::chrono::steady_clock::time_point, unsigned>> results_;  // time, zero bits
    std::uint64_t results_total_ = 0, shares_ = 0, jobs_sent_ = 0;
    unsigned floor_bits_ = 256;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    DeviceStats last_stats_;

    std::atomic<bool> quit_{false};
    std::thread thread_;
};

}  // namespace hf::hw::host
