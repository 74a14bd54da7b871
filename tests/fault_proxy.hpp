// A TCP proxy for the test suite that sits between a miner and a pool on loopback and injects one
// fault into the byte stream, so tests can check that both sides recover and keep their books.
// It forwards raw bytes (so TLS passes through it untouched, and can be cut mid-record). Everything
// runs on the event loop's thread. Faults that end or spoil a connection hit the first two
// connections only (those that leave it open and silent, the first only); delay, duplicate, reorder
// and trickle stay on for every connection. Restarting the pool is not a proxy fault: the "pool
// restart" cases of test_stratum_net stop and start the pool's server themselves.
#pragma once

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <random>
#include <string>

#include "stratum/net.hpp"

namespace hf::test {

enum class Fault {
    None,
    Delay,       // every chunk both ways held back 300 ms
    Drop,        // the pool's 3rd chunk to the miner vanishes (an answer or a job lost)
    Reset,       // both sides cut after 1500 bytes have passed
    Duplicate,   // every miner chunk to the pool is sent twice
    Reorder,     // pool chunks to the miner are swapped in pairs
    Truncate,    // the 5th pool chunk is half sent, nothing more passes, and the connection is cut
    Corrupt,     // one byte of every 7th pool chunk is flipped
    Trickle,     // pool bytes reach the miner one at a time, 1 ms apart
    BlackHole,   // after 1000 bytes nothing more is forwarded either way; the sockets stay open
    CutTls,      // once the pool has sent 3000 bytes (past the handshake, mining), the stream is cut inside
                 // a TLS record and the connection closed
    StallTls,    // the same cut inside a record, then nothing more passes either way; sockets stay open
    HalfCloseToMiner,  // after 1500 bytes the pool-to-miner direction is shut (the miner reads EOF);
                       // the miner's bytes still reach the pool
    HalfCloseToPool,   // after 1500 bytes the miner-to-pool direction is shut (the pool reads EOF);
                       // the pool's bytes still reach the miner
    Deaf,        // after 1500 bytes the miner's bytes are swallowed while jobs still reach it: a pool
                 // that no longer reads, on a connection that looks alive (half-open)
    Refuse,      // the first 3 connections are closed at once
};

// A stream offset at or after `from` that falls strictly inside the body of a TLS record of
// `stream` (records: 5-byte header of type, version and a big-endian 16-bit length), or 0 when the
// bytes from `from` on hold none.
inline std::size_t tls_cut_point(const std::string& stream, std::size_t from) {
    std::size_t at = 0;
    while (at + 5 <= stream.size()) {
        const std::size_t body = at + 5;
        const std::size_t end = body + (static_cast<std::uint8_t>(stream[at + 3]) << 8 | static_cast<std::uint8_t>(stream[at + 4]));
        const std::size_t cut = std::max(from, body) + 1;
        if (cut < std::min(end, stream.size())) return cut;
        at = end;
    }
    return 0;
}

class FaultProxy {
public:
    // Listens on 127.0.0.1 (any free port) and forwards each connection to 127.0.0.1:pool_port.
    FaultProxy(net::EventLoop& loop, std::uint16_t pool_port, Fault fault)
        : loop_(loop), pool_port_(pool_port), fault_(fault),
          listener_(loop, "127.0.0.1", 0, std::nullopt, [this](std::shared_ptr<net::LineConnection> c) { accept(c); }) {}
    std::uint16_t port() const { return listener_.port(); }
    int connections() const { return connections_; }
    void set_fault(Fault f) { fault_ = f; }

private:
    struct Pipe : std::enable_shared_from_this<Pipe> {
        FaultProxy* proxy;
        Fault fault = Fault::None;  // this connection's
        std::shared_ptr<net::LineConnection> miner, pool;
        std::deque<std::string> before_connect;
        std::size_t passed = 0;
        int pool_chunks = 0;
        std::string pool_stream;  // CutTls, StallTls: the pool's bytes so far, to find record bounds
        std::string held;  // Reorder: a pool chunk waiting for its successor
        std::string trickle;  // Trickle: pool bytes not yet passed on, one per millisecond
        std::unique_ptr<net::Timer> trickle_timer;
        bool dead = false;
        bool stalled = false;        // Truncate, CutTls, StallTls: nothing more passes
        bool miner_shut = false;     // HalfCloseToMiner: the miner has been sent EOF
        bool pool_shut = false;      // HalfCloseToPool: the pool has been sent EOF
        std::vector<std::unique_ptr<net::Timer>> timers;

        void close(const std::string& why) {
            if (dead) return;
            dead = true;
            if (miner) miner->close(why);
            if (pool) pool->close(why);
        }
        void later(std::chrono::milliseconds d, std::function<void()> fn) {
            timers.push_back(std::make_unique<net::Timer>(proxy->loop_));
            timers.back()->after(d, std::move(fn));
        }
        void to_pool(std::string bytes) {
            if (dead) return;
            if (!pool) return before_connect.push_back(std::move(bytes));
            const Fault f = fault;
            passed += bytes.size();
            if (stalled || pool_shut) return;
            if (f == Fault::BlackHole && passed > 1000) return;
            if (f == Fault::Deaf && passed > 1500) return;
            if (f == Fault::HalfCloseToPool && passed > 1500) {
                pool_shut = true;
                pool->send(bytes);
                return pool->shutdown_send();
            }
            if (f == Fault::Reset && passed > 1500) return close("fault: reset");
            if (f == Fault::Delay) {
                auto self = shared_from_this();
                return later(std::chrono::milliseconds(300), [self, bytes] { if (!self->dead) self->pool->send(bytes); });
            }
            pool->send(bytes);
            if (f == Fault::Duplicate) pool->send(bytes);
        }
        void trickle_next() {
            if (dead || trickle.empty()) return;
            miner->send(trickle.substr(0, 1));
            trickle.erase(0, 1);
            if (!trickle_timer) trickle_timer = std::make_unique<net::Timer>(proxy->loop_);
            auto self = shared_from_this();
            trickle_timer->after(std::chrono::milliseconds(1), [self] { self->trickle_next(); });
        }
        void to_miner(std::string bytes) {
            if (dead) return;
            const Fault f = fault;
            ++pool_chunks;
            passed += bytes.size();
            if (stalled || miner_shut) return;
            auto self = shared_from_this();
            switch (f) {
                case Fault::HalfCloseToMiner:
                    if (passed > 1500) {
                        miner_shut = true;
                        miner->send(bytes);
                        return miner->shutdown_send();
                    }
                    break;
                case Fault::CutTls:
                case Fault::StallTls: {
                    const std::size_t start = pool_stream.size();
                    pool_stream += bytes;
                    if (pool_stream.size() <= 3000) break;
                    const std::size_t cut = tls_cut_point(pool_stream, start);
                    if (cut == 0) break;  // no record body in this chunk: try the next
                    stalled = true;
                    miner->send(bytes.substr(0, cut - start));
                    if (f == Fault::CutTls) later(std::chrono::milliseconds(50), [self] { self->close("fault: TLS cut"); });
                    return;
                }
                case Fault::BlackHole: if (passed > 1000) return; break;
                case Fault::Reset: if (passed > 1500) return close("fault: reset"); break;
                case Fault::Drop: if (pool_chunks == 3) return; break;
                case Fault::Truncate:
                    if (pool_chunks == 5) {
                        stalled = true;
                        miner->send(bytes.substr(0, bytes.size() / 2));
                        return later(std::chrono::milliseconds(50), [self] { self->close("fault: cut"); });
                    }
                    break;
                case Fault::Corrupt:
                    if (pool_chunks % 7 == 0) bytes[bytes.size() / 2] ^= 0x20;
                    break;
                case Fault::Reorder:
                    if (held.empty()) {
                        held = std::move(bytes);
                        // Never hold one forever: a lone chunk goes on after 200 ms.
                        return later(std::chrono::milliseconds(200), [self] {
                            if (!self->dead && !self->held.empty()) self->miner->send(std::exchange(self->held, {}));
                        });
                    }
                    miner->send(bytes);
                    miner->send(std::exchange(held, {}));
                    return;
                case Fault::Delay:
                    return later(std::chrono::milliseconds(300), [self, bytes] { if (!self->dead) self->miner->send(bytes); });
                case Fault::Trickle: {
                    const bool idle = trickle.empty();
                    trickle += bytes;
                    if (idle) trickle_next();
                    return;
                }
                default: break;
            }
            miner->send(bytes);
        }
    };

    void accept(std::shared_ptr<net::LineConnection> miner) {
        const int n = ++connections_;
        if (fault_ == Fault::Refuse && n <= 3) return miner->close("fault: refused");
        auto pipe = std::make_shared<Pipe>();
        pipe->proxy = this;
        // Faults that end a connection hit the first two only, so the miner can show it recovers;
        // those only a deadline can detect (the sockets stay open) hit the first one, to keep the
        // test short; the others stay on every connection.
        const bool ends = fault_ == Fault::Reset || fault_ == Fault::Truncate || fault_ == Fault::CutTls ||
                          fault_ == Fault::Drop || fault_ == Fault::Corrupt || fault_ == Fault::HalfCloseToMiner ||
                          fault_ == Fault::HalfCloseToPool;
        const bool stalls = fault_ == Fault::BlackHole || fault_ == Fault::StallTls || fault_ == Fault::Deaf;
        pipe->fault = (ends && n > 2) || (stalls && n > 1) ? Fault::None : fault_;
        pipe->miner = miner;
        pipes_.push_back(pipe);
        std::weak_ptr<Pipe> weak = pipe;
        miner->start({[weak](std::string_view b) { if (auto p = weak.lock()) p->to_pool(std::string(b)); },
                      [weak](const std::string& why) { if (auto p = weak.lock()) p->close(why); }},
                     std::chrono::seconds(60));
        net::LineConnection::connect(loop_, "127.0.0.1", std::to_string(pool_port_), net::TlsClientConfig{},
                                     std::chrono::seconds(3), [weak](std::shared_ptr<net::LineConnection> pool, std::string) {
                                         auto p = weak.lock();
                                         if (!p || !pool) {
                                             if (p) p->close("fault proxy: pool unreachable");
                                             return;
                                         }
                                         p->pool = pool;
                                         pool->start({[weak](std::string_view b) { if (auto q = weak.lock()) q->to_miner(std::string(b)); },
                                                      [weak](const std::string& why) { if (auto q = weak.lock()) q->close(why); }},
                                                     std::chrono::seconds(60));
                                         if (p->dead) return pool->close("miner gone");
                                         auto queued = std::move(p->before_connect);
                                         for (auto& b : queued) p->to_pool(std::move(b));
                                     });
    }

    net::EventLoop& loop_;
    std::uint16_t pool_port_;
    Fault fault_;
    net::LineListener listener_;
    std::vector<std::shared_ptr<Pipe>> pipes_;
    std::atomic<int> connections_{0};  // read by the test thread
};

}  // namespace hf::test
