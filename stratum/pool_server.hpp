// The built-in pool on the network: a LineListener (TCP or TLS) feeding a Pool, and a one-second
// timer for its vardiff and job refresh. Connections that send nothing for `idle_timeout` are
// closed; at most `max_connections` are served at once.
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
    std::chrono::milliseconds idle_timeout{600000};
    std::size_t max_connections = 1024;
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

    net::EventLoop& loop_;
    Pool& pool_;
    PoolServerOptions opt_;
    std::unique_ptr<net::LineListener> listener_;
    net::Timer timer_;
    std::map<Pool::ConnectionId, std::shared_ptr<net::LineConnection>> connections_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    bool stopped_ = false;
};

}  // namespace hf::stratum
