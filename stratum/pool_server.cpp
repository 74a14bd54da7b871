#include "stratum/pool_server.hpp"

namespace hf::stratum {
namespace {

// "1.2.3.4:5678" or "[::1]:5678" without the port.
std::string address_of(const std::string& remote) {
    const auto colon = remote.rfind(':');
    return colon == std::string::npos ? remote : remote.substr(0, colon);
}

}  // namespace

PoolServer::PoolServer(net::EventLoop& loop, Pool& pool, PoolServerOptions options)
    : loop_(loop), pool_(pool), opt_(std::move(options)), timer_(loop) {
    std::weak_ptr<int> w = alive_;
    listener_ = std::make_unique<net::LineListener>(loop_, opt_.host, opt_.port, opt_.tls,
                                                    [this, w](std::shared_ptr<net::LineConnection> c) {
                                                        if (w.expired() || stopped_) {
                                                            c->close("pool stopped");
                                                            return;
                                                        }
                                                        accept(std::move(c));
                                                    });
    timer_.after(std::chrono::seconds(1), [this, w] {
        if (!w.expired()) tick();
    });
}

PoolServer::~PoolServer() {
    stop();
    alive_.reset();
}

std::uint16_t PoolServer::port() const { return listener_->port(); }

void PoolServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    listener_->close();
    auto conns = std::move(connections_);
    connections_.clear();
    per_address_.clear();
    pool_id_address_.clear();
    for (auto& [id, c] : conns) {
        pool_.close(id);
        c->close("pool stopped");
    }
}

void PoolServer::accept(std::shared_ptr<net::LineConnection> conn) {
    const std::string remote = conn->remote();
    const std::string address = address_of(remote);
    if (connections_.size() >= opt_.max_connections) {
        conn->close("too many connections");
        return;
    }
    if (per_address_[address] >= opt_.max_connections_per_address) {
        conn->close("too many connections from " + address);
        return;
    }
    ++per_address_[address];
    std::weak_ptr<net::LineConnection> weak = conn;
    auto dump = opt_.dump;
    const auto id = pool_.open(remote, [weak, dump, remote](const std::string& line) {
        if (dump) dump("> " + remote + " " + line.substr(0, line.size() - 1));
        if (auto c = weak.lock()) c->send(line);
    });
    connections_[id] = conn;
    pool_id_address_[id] = address;
    std::weak_ptr<int> w = alive_;
    conn->start({[this, w, id, dump, remote](std::string_view bytes) {
                     if (w.expired()) return;
                     if (dump) dump("< " + remote + " " + std::string(bytes.substr(0, bytes.size() - (bytes.ends_with('\n') ? 1 : 0))));
                     if (!pool_.feed(id, bytes, Clock::now()))
                         if (auto it = connections_.find(id); it != connections_.end()) it->second->close("protocol error (see the pool log)");
                 },
                 [this, w, id](const std::string&) {
                     if (!w.expired()) forget(id);
                 }},
                // A backstop only: the pool's idle limit (checked each tick) counts complete lines.
                pool_.options().idle_timeout + std::chrono::seconds(5));
}

void PoolServer::forget(Pool::ConnectionId id) {
    pool_.close(id);
    connections_.erase(id);
    if (auto it = pool_id_address_.find(id); it != pool_id_address_.end()) {
        if (--per_address_[it->second] == 0) per_address_.erase(it->second);
        pool_id_address_.erase(it);
    }
}

void PoolServer::tick() {
    if (stopped_) return;
    const auto now = Clock::now();
    try {
        pool_.tick(now);
    } catch (const std::exception& e) {  // never let one bad tick end the pool
        if (opt_.dump) opt_.dump(std::string("pool tick failed: ") + e.what());
    }
    for (const auto& [id, why] : pool_.expired(now))
        if (auto it = connections_.find(id); it != connections_.end()) it->second->close(why);
    std::weak_ptr<int> w = alive_;
    timer_.after(std::chrono::seconds(1), [this, w] {
        if (!w.expired()) tick();
    });
}

}  // namespace hf::stratum
