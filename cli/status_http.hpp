// `hashforge mine --http [HOST:]PORT`: the miner's own status page, in the spirit of AxeOS (the
// Bitaxe's web page). A Boost.Beast HTTP/1.1 server on the miner's event loop serves
//   GET /             the page (cli/resources/status.html): hashrate over time, shares accepted
//                     and rejected with reasons, pool and difficulty, backend, uptime;
//   GET /api/status   what the page reads (status_document below);
//   GET /api/summary, /api/pools, /api/devs   the cgminer API's JSON replies, unchanged.
// Bounds as the cgminer API's (net::RequestListener): 64 KiB per request, 5 s for each read and
// write; at most 16 connections at once (more are closed on accept).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cli/miner_api.hpp"
#include "stratum/client_session.hpp"
#include "stratum/net.hpp"

namespace hf::cli {

struct StatusHttpOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port
    std::size_t max_request_bytes = net::kMaxRequestBytes;
    std::size_t max_connections = 16;
    std::chrono::milliseconds io_timeout = net::kRequestTimeout;
    std::chrono::milliseconds sample_interval{1000};  // hashrate history resolution
    std::size_t max_samples = 3600;                   // an hour at 1 s
    std::size_t max_recent_shares = 50;
};

// "8080" -> 127.0.0.1:8080 (loopback unless a host is given), "0.0.0.0:8080", "[::1]:8080".
// Throws std::invalid_argument naming the bad part.
std::pair<std::string, std::uint16_t> parse_http_listen(const std::string& spec);

struct HashrateSample {
    double elapsed_s = 0;  // since the miner started
    double rate_5s = 0;    // H/s, measured
};

struct ShareEvent {
    std::int64_t unix_time = 0;
    bool accepted = false;
    std::string reason;    // why not accepted: "stale: 21 Job not found", "not submitted: ..."
    double difficulty = 0;
    std::uint32_t nonce = 0;
};
ShareEvent share_event(const stratum::ShareResult& result, std::int64_t unix_time);

// The /api/status document. "summary", "pools" and "devs" are the cgminer API's own replies (the
// same function answers both), so the page and cgminer tools read the same numbers.
nlohmann::json status_document(const MinerState& state, const std::deque<HashrateSample>& history,
                               std::chrono::milliseconds sample_interval, const std::deque<ShareEvent>& recent);

class StatusHttpServer {
public:
    using StateFn = std::function<MinerState()>;
    // Binds and listens (throws std::runtime_error naming the address on failure).
    StatusHttpServer(net::EventLoop& loop, StatusHttpOptions options, StateFn state);
    ~StatusHttpServer();
    StatusHttpServer(const StatusHttpServer&) = delete;
    StatusHttpServer& operator=(const StatusHttpServer&) = delete;

    std::uint16_t port() const;
    void note_share(const stratum::ShareResult& result);  // any thread

    struct Shared;

private:
    std::shared_ptr<Shared> shared_;
};

}  // namespace hf::cli
