// The built-in pool on the network: a LineListener (TCP or TLS) feeding a Pool, and a one-second
// timer for its vardiff, job refresh and connection limits. At most `max_connections` are served at
// once and `max_connections_per_address` from one IP address; a connection that does not subscribe
// in time or sends no complete line for the pool's idle_timeout is closed (PoolOptions).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "stratum/net.hpp"
#include "stratum/pool.hpp"

namespace hf::stratum {

struct PoolServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3333;  // 0: any free port
    std::optional<net::TlsServerConfig> tls;
    std::size_t max_connections = 1024;
    std::size_t max_connections_per_address = 256;
    // Protocol dump of every line, or empty: "> PEER line" sent to PEER, "< PEER line" received from
    // it (the same arrows as the miner's "> line" / "< line").
    std::function<void(const std::string&)> dump;
};

class PoolServer {
public:
    // Listens at once (throws std::runtime_error if it cannot). The Pool outlives the server, so a
    // restarted server keeps its jobs and sessions, as a real pool's database would.
    PoolServer(net::EventLoop& loop, Pool& pool, PoolServerOptions options);
    ~PoolServer();
    std::uint16_t port() const;
    void stop();  // stops listening and drops every connection (loop thread)

private:
    void accept(std::shared_ptr<net::LineConnection> conn);
    void tick();
    void forget(Pool::ConnectionId id);

    net::EventLoop& loop_;
    Pool& pool_;
    PoolServerOptions opt_;
    std::unique_ptr<net::LineListener> listener_;
    net::Timer timer_;
    std::map<Pool::ConnectionId, std::shared_ptr<net::LineConnection>> connections_;
    std::map<std::string, std::size_t> per_address_;  // open connections by IP address
    std::map<Pool::ConnectionId, std::string> pool_id_address_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    bool stopped_ = false;
};

}  // namespace hf::stratum
