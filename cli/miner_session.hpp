// One run of `hashforge mine`: the event loop, the built-in pool when no -o is given, the search
// engine, the Stratum client runner, the timers and the front-ends (cgminer API). Front-ends read
// the miner through state() and act through the loop; a new one (an HTTP status page) is started
// beside start_api() and torn down with it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "cli/mine_options.hpp"
#include "cli/miner_api.hpp"
#include "cli/status_http.hpp"
#include "core/search_engine.hpp"
#include "stratum/client_runner.hpp"
#include "stratum/net.hpp"
#include "stratum/pool.hpp"
#include "stratum/pool_server.hpp"

namespace hf::cli {

class MinerSession {
public:
    explicit MinerSession(MineSettings settings);
    ~MinerSession();  // engine first: its workers call the runner
    MinerSession(const MinerSession&) = delete;
    MinerSession& operator=(const MinerSession&) = delete;

    // --api-listen; returns the error text when the address cannot be bound.
    std::optional<std::string> start_api();
    // --http: the status page (cli/status_http.hpp); the error text when it cannot listen.
    std::optional<std::string> start_http();
    void run();  // until --duration, SIGINT/SIGTERM or the API's quit
    // Stops hashing and returns the final state (for the summary).
    MinerState finish();
    std::optional<stratum::PoolStats> embedded_pool_stats() const;

    MinerState state() const;

private:
    class Sink;
    void start_embedded_pool();
    void suggest_from_measured_hashrate(const BackendInfo& backend);
    void schedule_status();
    void shutdown(const std::string& why);
    HashrateSnapshot hashrate() const;

    MineSettings settings_;
    net::EventLoop loop_;
    std::unique_ptr<stratum::Pool> embedded_;
    std::unique_ptr<stratum::PoolServer> embedded_server_;
    std::atomic<stratum::ClientRunner*> runner_ptr_{nullptr};
    std::unique_ptr<SearchEngine> engine_;             // hashing on this CPU, or
    std::unique_ptr<hw::host::DeviceMiner> device_;    // on chips behind a serial device (--device)
    std::unique_ptr<Sink> sink_;
    std::unique_ptr<stratum::ClientRunner> runner_;
    net::Timer status_timer_{loop_}, duration_timer_{loop_};
    std::unique_ptr<net::RequestListener> api_listener_;
    std::unique_ptr<StatusHttpServer> status_page_;
    std::chrono::steady_clock::time_point started_;
    bool stopping_ = false;
};

}  // namespace hf::cli
