#include "stratum/pool_server.hpp"

namespace hf::stratum {

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
    for (auto& [id, c] : conns) {
        pool_.close(id);
        c->close("pool stopped");
    }
}

void PoolServer::accept(std::shared_ptr<net::LineConnection> conn) {
    if (connections_.size() >= opt_.max_connections) {
        conn->close("too many connections");
        return;
    }
    const std::string remote = conn->remote();
    std::weak_ptr<net::LineConnection> weak = conn;
    auto dump = opt_.dump;
    const auto id = pool_.open(remote, [weak, dump, remote](const std::string& line) {
        if (dump) dump("> " + remote + " " + line.substr(0, line.size() - 1));
        if (auto c = weak.lock()) c->send(line);
    });
    connections_[id] = conn;
    std::weak_ptr<int> w = alive_;
    conn->start({[this, w, id, dump, remote](std::string_view bytes) {
                     if (w.expired()) return;
                     if (dump) dump("< " + remote + " " + std::string(bytes.substr(0, bytes.size() - (bytes.ends_with('\n') ? 1 : 0))));
                     if (!pool_.feed(id, bytes, Clock::now()))
                         if (auto it = connections_.find(id); it != connections_.end()) it->second->close("line too long");
                 },
                 [this, w, id](const std::string&) {
                     if (w.expired()) return;
                     pool_.close(id);
                     connections_.erase(id);
                 }},
                opt_.idle_timeout);
}

void PoolServer::tick() {
    if (stopped_) return;
    pool_.tick(Clock::now());
    std::weak_ptr<int> w = alive_;
    timer_.after(std::chrono::seconds(1), [this, w] {
        if (!w.expired()) tick();
    });
}

}  // namespace hf::stratum
