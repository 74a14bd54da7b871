// The client against the built-in pool over loopback (127.0.0.1, ephemeral ports): shares accepted
// and counted the same on both sides, with and without version rolling, across a difficulty
// change, across a pool restart, over TLS, with failover and the watchdog. Every wait is bounded.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <fstream>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/backends.hpp"
#include "core/hex.hpp"
#include "core/search_engine.hpp"
#include "core/target.hpp"
#include "stratum/client_runner.hpp"
#include "stratum/notify.hpp"
#include "stratum/pool_server.hpp"
#include "tests/fault_proxy.hpp"
#include "tests/scripted_miner.hpp"
#include "tests/support.hpp"

using namespace hf;
using namespace hf::stratum;
using namespace std::chrono_literals;

namespace {

bool sanitized() { return std::getenv("HASHFORGE_SANITIZED") != nullptr; }

// The event loop on its own thread; objects that live on the loop are made and destroyed there.
struct LoopThread {
    net::EventLoop loop;
    std::thread thread{[this] { loop.run(); }};
    ~LoopThread() {
        loop.stop();
        thread.join();
    }
    template <typename F>
    void run(F&& f) {
        std::promise<void> done;
        loop.post([&] {
            f();
            done.set_value();
        });
        REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
    }
};

template <typename P>
bool wait_until(P pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

PoolOptions easy_pool() {
    PoolOptions o;
    o.start_difficulty = 2e-6;  // about 8600 hashes a share: quick even under ASan
    o.vardiff = false;
    return o;
}

RunnerOptions runner_options(std::vector<std::string> urls) {
    RunnerOptions o;
    for (auto& u : urls) o.pools.push_back({u, "tb1qtest.worker", "x"});
    o.backoff_initial = 100ms;
    o.backoff_max = 400ms;
    o.connect_timeout = 3000ms;
    o.session.configure_timeout = 1000ms;
    return o;
}

struct Rig {
    LoopThread lt;
    Pool pool;
    std::unique_ptr<PoolServer> server;
    test::ScriptedMiner miner;
    std::unique_ptr<ClientRunner> runner;
    std::mutex log_mutex;
    std::vector<std::string> log;
    std::vector<ShareResult> results;

    explicit Rig(PoolOptions po, std::optional<net::TlsServerConfig> tls = std::nullopt, std::size_t per_address = 256)
        : pool(po) {
        PoolServerOptions so;
        so.port = 0;
        so.max_connections_per_address = per_address;
        so.tls = tls;
        lt.run([&] { server = std::make_unique<PoolServer>(lt.loop, pool, so); });
    }
    ~Rig() {
        lt.run([&] {
            runner.reset();
            server.reset();
        });
    }
    std::string url(bool tls = false) const {
        return std::string(tls ? "stratum+ssl" : "stratum+tcp") + "://127.0.0.1:" + std::to_string(server->port());
    }
    void start(RunnerOptions o) {
        RunnerEvents ev;
        ev.info = [this](const std::string& t) {
            std::lock_guard lock(log_mutex);
            log.push_back(t);
        };
        ev.dump = [this](const std::string& t) {
            std::lock_guard lock(log_mutex);
            log.push_back(t);
        };
        ev.share = [this](const ShareResult& r, std::size_t) {
            std::lock_guard lock(log_mutex);
            results.push_back(r);
        };
        lt.run([&] {
            runner = std::make_unique<ClientRunner>(lt.loop, o, miner, ev);
            miner.on_share = [this](const FoundShare& s) { runner->found_share(s); };
            runner->start();
        });
    }
    std::uint64_t accepted() const { return runner->snapshot().total.accepted; }
    std::string joined_log() {
        std::lock_guard lock(log_mutex);
        std::string all;
        for (const auto& l : log) all += l + "\n";
        return all;
    }
    // Stops reporting new shares and waits until every reported share has an outcome.
    void quiesce() {
        miner.hold = true;
        std::this_thread::sleep_for(100ms);
        REQUIRE(wait_until([&] {
            std::lock_guard lock(log_mutex);
            return results.size() == miner.found.load();
        }, 10s));
    }
};

std::chrono::milliseconds patience() { return sanitized() ? 40s : 15s; }

}  // namespace

TEST_CASE("mining against the built-in pool: shares accepted and counted alike on both sides") {
    for (const bool rolling : {true, false}) {
        CAPTURE(rolling);
        Rig rig(easy_pool());
        auto o = runner_options({rig.url()});
        o.session.version_rolling = rolling;
        rig.start(o);
        REQUIRE_MESSAGE(wait_until([&] { return rig.accepted() >= 6; }, patience()), rig.joined_log());
        rig.quiesce();
        const auto snap = rig.runner->snapshot();
        const auto stats = rig.pool.stats();
        CHECK(snap.pools[0].version_mask == (rolling ? 0x1fffe000u : 0u));
        CHECK(stats.workers.at("tb1qtest.worker").accepted == snap.total.accepted);
        CHECK(stats.accepted == snap.total.accepted);
        CHECK(snap.total.rejected_total() == 0);
        CHECK(snap.total.invalid_local == 0);
        CHECK(stats.rejected.empty());
        CHECK(snap.total.accepted_difficulty == doctest::Approx(2e-6 * static_cast<double>(snap.total.accepted)));
        if (rolling) {
            bool any_rolled = false;
            for (const auto& r : rig.results) any_rolled |= r.share.version_bits != 0;
            CHECK(any_rolled);
        } else {
            for (const auto& r : rig.results) CHECK(r.share.version_bits == 0);
        }
    }
}

TEST_CASE("a difficulty change mid-run: no share is judged by the wrong difficulty") {
    Rig rig(easy_pool());
    rig.start(runner_options({rig.url()}));
    REQUIRE(wait_until([&] { return rig.accepted() >= 3; }, patience()));
    rig.pool.set_difficulty_all(8e-6, Clock::now());
    REQUIRE_MESSAGE(wait_until([&] {
        std::lock_guard lock(rig.log_mutex);
        int at_new = 0;
        for (const auto& r : rig.results) at_new += r.accepted && r.difficulty == 8e-6;
        return at_new >= 3;
    }, patience()), rig.joined_log());
    rig.quiesce();
    const auto snap = rig.runner->snapshot();
    CHECK(snap.pools[0].difficulty == 8e-6);
    CHECK(snap.total.rejected_total() == 0);
    CHECK(rig.pool.stats().rejected.empty());
    CHECK(rig.pool.stats().accepted == snap.total.accepted);
}

TEST_CASE("a pool restart: the client reconnects, resumes its session and loses no share") {
    Rig rig(easy_pool());
    auto o = runner_options({rig.url()});
    rig.start(o);
    REQUIRE(wait_until([&] { return rig.accepted() >= 3; }, patience()));
    const std::uint16_t port = rig.server->port();
    rig.lt.run([&] { rig.server.reset(); });  // the pool goes away; its jobs and sessions survive
    // The miner keeps hashing the current job; what it finds is held.
    REQUIRE_MESSAGE(wait_until([&] { return rig.runner->snapshot().held >= 3; }, patience()), rig.joined_log());
    PoolServerOptions so;
    so.port = port;
    rig.lt.run([&] { rig.server = std::make_unique<PoolServer>(rig.lt.loop, rig.pool, so); });
    REQUIRE_MESSAGE(wait_until([&] { return rig.runner->snapshot().held == 0 && rig.pool.stats().accepted >= 6; }, patience()),
                    rig.joined_log());
    rig.quiesce();
    const auto snap = rig.runner->snapshot();
    const auto& t = snap.total;
    // Every share found has an outcome: accepted, rejected or counted stale; none vanished.
    CHECK(t.accepted + t.rejected_total() + t.stale_local + t.invalid_local + t.unanswered == rig.miner.found.load());
    CHECK(rig.pool.stats().accepted == t.accepted);
    std::string reasons;
    for (const auto& r : rig.results)
        if (!r.accepted) reasons += r.reason.text + "\n";
    reasons += rig.joined_log();
    CHECK_MESSAGE(t.stale_local == 0, reasons);  // the session was resumed on the same block: held shares stayed good
    CHECK(snap.pools[0].connects >= 2);
    CHECK(rig.joined_log().find("held while disconnected") != std::string::npos);
}

TEST_CASE("a pool restart on a new block: shares held meanwhile are counted stale, not submitted or lost") {
    Rig rig(easy_pool());
    rig.start(runner_options({rig.url()}));
    REQUIRE(wait_until([&] { return rig.accepted() >= 2; }, patience()));
    const std::uint16_t port = rig.server->port();
    rig.lt.run([&] { rig.server.reset(); });
    REQUIRE_MESSAGE(wait_until([&] { return rig.runner->snapshot().held >= 2; }, patience()), rig.joined_log());
    rig.pool.new_block(Clock::now());  // the chain moved on while the miner was away
    const auto accepted_before = rig.pool.stats().accepted;
    PoolServerOptions so;
    so.port = port;
    rig.lt.run([&] { rig.server = std::make_unique<PoolServer>(rig.lt.loop, rig.pool, so); });
    REQUIRE_MESSAGE(wait_until([&] { return rig.runner->snapshot().held == 0 && rig.runner->snapshot().total.stale_local >= 2; },
                               patience()), rig.joined_log());
    rig.quiesce();
    const auto t = rig.runner->snapshot().total;
    CHECK(t.accepted + t.rejected_total() + t.stale_local + t.invalid_local + t.unanswered == rig.miner.found.load());
    CHECK(rig.pool.stats().rejected.count(kErrStale) == 0);  // nothing stale was sent to the pool
    CHECK(rig.pool.stats().accepted == t.accepted);
    CHECK(rig.pool.stats().accepted >= accepted_before);
}

TEST_CASE("failover to the second pool when the first is down, and back to the primary when it returns") {
    LoopThread lt;
    Pool primary_pool(easy_pool()), backup_pool(easy_pool());
    std::unique_ptr<PoolServer> primary, backup;
    PoolServerOptions so;
    so.port = 0;
    lt.run([&] {
        primary = std::make_unique<PoolServer>(lt.loop, primary_pool, so);
        backup = std::make_unique<PoolServer>(lt.loop, backup_pool, so);
    });
    const std::uint16_t primary_port = primary->port();
    lt.run([&] { primary.reset(); });  // the primary is down at start
    test::ScriptedMiner miner;
    auto o = runner_options({"stratum+tcp://127.0.0.1:" + std::to_string(primary_port),
                             "stratum+tcp://127.0.0.1:" + std::to_string(backup->port())});
    o.primary_probe = 1000ms;
    std::unique_ptr<ClientRunner> runner;
    lt.run([&] {
        runner = std::make_unique<ClientRunner>(lt.loop, o, miner, RunnerEvents{});
        miner.on_share = [&](const FoundShare& s) { runner->found_share(s); };
        runner->start();
    });
    CHECK(wait_until([&] { return backup_pool.stats().accepted >= 2; }, patience()));
    CHECK(runner->snapshot().active == 1);
    so.port = primary_port;
    lt.run([&] { primary = std::make_unique<PoolServer>(lt.loop, primary_pool, so); });
    CHECK(wait_until([&] { return primary_pool.stats().accepted >= 2; }, patience()));
    CHECK(runner->snapshot().active == 0);
    lt.run([&] {
        runner.reset();
        primary.reset();
        backup.reset();
    });
}

TEST_CASE("watchdog: a pool that sends no work is treated as dead and reconnected") {
    LoopThread lt;
    // A pool that subscribes and authorizes but never sends mining.notify.
    std::vector<std::shared_ptr<net::LineConnection>> conns;
    std::unique_ptr<net::LineListener> silent;
    lt.run([&] {
        silent = std::make_unique<net::LineListener>(lt.loop, "127.0.0.1", 0, std::nullopt, [&](std::shared_ptr<net::LineConnection> c) {
            conns.push_back(c);
            auto splitter = std::make_shared<LineSplitter>();
            std::weak_ptr<net::LineConnection> weak = c;
            c->start({[weak, splitter](std::string_view bytes) {
                          std::vector<std::string> lines;
                          splitter->feed(bytes, lines);
                          auto conn = weak.lock();
                          if (!conn) return;  // closed while these bytes were on their way
                          for (const auto& l : lines) {
                              const Message m = parse_message(l);
                              if (m.method == "mining.subscribe")
                                  conn->send(make_result(m.id, {nlohmann::json::array(), "00000001", 4}));
                              else
                                  conn->send(make_result(m.id, true));
                          }
                      },
                      {}},
                     10s);
        });
    });
    test::ScriptedMiner miner;
    auto o = runner_options({"stratum+tcp://127.0.0.1:" + std::to_string(silent->port())});
    o.watchdog = 1000ms;
    std::unique_ptr<ClientRunner> runner;
    std::mutex m;
    std::string log;
    RunnerEvents ev;
    ev.info = [&](const std::string& t) {
        std::lock_guard lock(m);
        log += t + "\n";
    };
    lt.run([&] {
        runner = std::make_unique<ClientRunner>(lt.loop, o, miner, ev);
        runner->start();
    });
    CHECK(wait_until([&] { return runner->snapshot().pools[0].connects >= 2; }, 10s));
    {
        // Not held across lt.run: the loop may be logging (and waiting for it) meanwhile.
        std::lock_guard lock(m);
        CHECK(log.find("no mining.notify") != std::string::npos);
    }
    lt.run([&] {
        runner.reset();
        silent.reset();
        conns.clear();
    });
}

namespace {

// A throw-away certificate for 127.0.0.1 made with the openssl command, in a fresh directory.
struct ThrowAwayCert {
    std::filesystem::path dir;
    std::string cert, key;
    ThrowAwayCert() {
        dir = std::filesystem::temp_directory_path() / ("hf-tls-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        cert = (dir / "cert.pem").string();
        key = (dir / "key.pem").string();
        const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                                "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                                " >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
    ~ThrowAwayCert() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("TLS: mining over stratum+ssl with the pool's certificate trusted; refused when it is not") {
    ThrowAwayCert cert;
    Rig rig(easy_pool(), net::TlsServerConfig{cert.cert, cert.key});
    SUBCASE("trusted with --cert: shares accepted") {
        auto o = runner_options({rig.url(true)});
        o.tls.ca_file = cert.cert;
        rig.start(o);
        REQUIRE_MESSAGE(wait_until([&] { return rig.accepted() >= 3; }, patience()), rig.joined_log());
        rig.quiesce();
        CHECK(rig.pool.stats().accepted == rig.runner->snapshot().total.accepted);
        CHECK(rig.joined_log().find("TLS") != std::string::npos);
    }
    SUBCASE("not in the system store: the handshake fails and nothing is sent") {
        rig.start(runner_options({rig.url(true)}));
        REQUIRE(wait_until([&] { return rig.runner->snapshot().pools[0].failures >= 1; }, 10s));
        const auto snap = rig.runner->snapshot();
        CHECK(snap.pools[0].last_error.find("certificate verify failed") != std::string::npos);
        CHECK(rig.pool.stats().workers.empty());
    }
    SUBCASE("--no-verify connects anyway, with a warning") {
        auto o = runner_options({rig.url(true)});
        o.tls.verify = false;
        rig.start(o);
        REQUIRE(wait_until([&] { return rig.accepted() >= 1; }, patience()));
        CHECK(rig.joined_log().find("WARNING: TLS certificate verification is OFF") != std::string::npos);
    }
    SUBCASE("a pinned certificate for another host name is refused") {
        // Connect by name: the certificate names only 127.0.0.1.
        auto o = runner_options({"stratum+ssl://localhost:" + std::to_string(rig.server->port())});
        o.tls.ca_file = cert.cert;
        rig.start(o);
        REQUIRE(wait_until([&] { return rig.runner->snapshot().pools[0].failures >= 1; }, 10s));
        CHECK(rig.runner->snapshot().pools[0].last_error.find("TLS handshake") != std::string::npos);
        CHECK(rig.pool.stats().workers.empty());
    }
}

// TLS connections are handed to the pool (and counted by its caps) only after their handshake;
// sockets that never start one would hold descriptors without bound. At most kMaxTlsHandshakes
// wait at once; one more is closed at once, and when they are gone a real client is served.
TEST_CASE("TLS: at most kMaxTlsHandshakes connections wait for their handshake; one more is closed at once") {
    ThrowAwayCert cert;
    LoopThread lt;
    Pool pool(easy_pool());
    std::unique_ptr<PoolServer> server;
    PoolServerOptions so;
    so.port = 0;
    so.tls = net::TlsServerConfig{cert.cert, cert.key};
    lt.run([&] { server = std::make_unique<PoolServer>(lt.loop, pool, so); });
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<int> fds;
    for (std::size_t i = 0; i <= net::kMaxTlsHandshakes; ++i) {
        fds.push_back(::socket(AF_INET, SOCK_STREAM, 0));
        REQUIRE(::connect(fds.back(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    auto closed_by_server = [](int fd, std::chrono::microseconds wait) {  // recv returns 0 within `wait`
        timeval tv{static_cast<time_t>(wait.count() / 1000000), static_cast<suseconds_t>(wait.count() % 1000000)};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char byte;
        return ::recv(fd, &byte, 1, 0) == 0;
    };
    CHECK(closed_by_server(fds.back(), 5s));  // as soon as the server has come to it
    CHECK_FALSE(closed_by_server(fds.front(), 300ms));
    for (const int fd : fds) ::close(fd);
    std::this_thread::sleep_for(300ms);
    std::promise<std::string> result;
    lt.run([&] {
        net::TlsClientConfig tls;
        tls.enabled = true;
        tls.ca_file = cert.cert;
        net::LineConnection::connect(lt.loop, "127.0.0.1", std::to_string(server->port()), tls, 3s,
                                     [&](std::shared_ptr<net::LineConnection> c, std::string error) {
                                         if (c) c->close("done");
                                         result.set_value(c ? "connected" : error);
                                     });
    });
    auto got = result.get_future();
    REQUIRE(got.wait_for(5s) == std::future_status::ready);
    CHECK(got.get() == "connected");
    lt.run([&] { server.reset(); });
}

TEST_CASE("defect 5: connections beyond the per-address cap are closed; the others are served") {
    LoopThread lt;
    Pool pool(easy_pool());
    std::unique_ptr<PoolServer> server;
    PoolServerOptions so;
    so.port = 0;
    so.max_connections_per_address = 2;
    lt.run([&] { server = std::make_unique<PoolServer>(lt.loop, pool, so); });
    std::atomic<int> closed{0};
    std::vector<std::shared_ptr<net::LineConnection>> conns;
    std::mutex m;
    for (int i = 0; i < 3; ++i) {
        std::promise<void> connected;
        lt.run([&] {
            net::LineConnection::connect(lt.loop, "127.0.0.1", std::to_string(server->port()), {}, 3s,
                                         [&](std::shared_ptr<net::LineConnection> c, std::string) {
                                             REQUIRE(c);
                                             c->start({[](std::string_view) {}, [&](const std::string&) { ++closed; }}, 60s);
                                             std::lock_guard lock(m);
                                             conns.push_back(c);
                                             connected.set_value();
                                         });
        });
        REQUIRE(connected.get_future().wait_for(5s) == std::future_status::ready);
        std::this_thread::sleep_for(100ms);
    }
    CHECK(wait_until([&] { return closed.load() == 1; }, 5s));
    std::this_thread::sleep_for(200ms);
    CHECK(closed.load() == 1);
    CHECK(pool.stats().connections == 2);
    lt.run([&] {
        for (auto& c : conns) c->close("done");
        server.reset();
    });
}

// With no file descriptor left, accept fails at once and the connection stays in the backlog:
// a listener that retried at once spun the event loop at 100% CPU (measured with `ulimit -n 64` and
// 100 clients: 0.99 CPU-seconds in 2 s). It now waits 100 ms between tries, and serves the waiting
// connections once descriptors are free again.
TEST_CASE("out of file descriptors: the pool's listener waits instead of spinning, then accepts the waiting connections") {
    LoopThread lt;
    Pool pool(easy_pool());
    std::unique_ptr<PoolServer> server;
    PoolServerOptions so;
    so.port = 0;
    lt.run([&] { server = std::make_unique<PoolServer>(lt.loop, pool, so); });
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    constexpr int kClients = 8;
    std::vector<int> fds;
    for (int i = 0; i < kClients; ++i) fds.push_back(::socket(AF_INET, SOCK_STREAM, 0));
    int highest = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        highest = std::max(highest, std::stoi(entry.path().filename().string()));
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(highest + 1);  // every descriptor number is taken
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    std::vector<int> fillers;  // the free numbers below the limit
    for (int fd; (fd = ::dup(0)) >= 0;) fillers.push_back(fd);
    for (const int fd : fds) CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    auto cpu_seconds = [] {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
    };
    const double before = cpu_seconds();
    std::this_thread::sleep_for(1s);
    const double used = cpu_seconds() - before;
    const auto served_meanwhile = pool.stats().connections;
    for (const int fd : fillers) ::close(fd);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
    CHECK(served_meanwhile == 0);
    CHECK_MESSAGE(used < 0.1, "CPU seconds used in 1 s while out of descriptors: " << used);
    CHECK(wait_until([&] { return pool.stats().connections == kClients; }, 3s));
    for (const int fd : fds) ::close(fd);
    lt.run([&] { server.reset(); });
}

namespace {

// One fault between a miner and the built-in pool (over TLS when a certificate is given): the miner
// gets 3 shares accepted, then the books are checked on both sides.
void run_fault_scenario(test::Fault fault, std::optional<std::reference_wrapper<const ThrowAwayCert>> cert) {
    using test::Fault;
    PoolOptions po = easy_pool();
    po.job_interval = 1s;
    std::optional<net::TlsServerConfig> tls;
    if (cert) tls = net::TlsServerConfig{cert->get().cert, cert->get().key};
    Rig rig(po, tls);
    std::unique_ptr<test::FaultProxy> proxy;
    rig.lt.run([&] { proxy = std::make_unique<test::FaultProxy>(rig.lt.loop, rig.server->port(), fault); });
    auto o = runner_options({std::string(cert ? "stratum+ssl" : "stratum+tcp") + "://127.0.0.1:" + std::to_string(proxy->port())});
    if (cert) o.tls.ca_file = cert->get().cert;
    o.watchdog = 4s;
    o.session.submit_timeout = 4s;
    rig.start(o);
    // Faults that cost the first connection: shares accepted after the miner came back.
    const bool ends = fault == Fault::Reset || fault == Fault::BlackHole || fault == Fault::Truncate || fault == Fault::CutTls ||
                      fault == Fault::StallTls || fault == Fault::HalfCloseToMiner || fault == Fault::HalfCloseToPool ||
                      fault == Fault::Deaf;
    REQUIRE_MESSAGE(wait_until([&] { return rig.accepted() >= 3 && (!ends || proxy->connections() > 1); }, patience()),
                    rig.joined_log());
    rig.quiesce();
    const auto snap = rig.runner->snapshot();
    const auto stats = rig.pool.stats();
    const auto& t = snap.total;
    CHECK(t.accepted + t.rejected_total() + t.stale_local + t.invalid_local + t.unanswered == rig.miner.found.load());
    CHECK(t.invalid_local == 0);
    CHECK(stats.accepted >= t.accepted);
    CHECK(stats.accepted <= t.accepted + t.unanswered + t.rejected[static_cast<std::size_t>(RejectKind::Duplicate)]);
    if (fault == Fault::Refuse) CHECK(proxy->connections() > 3);
    rig.lt.run([&] {
        rig.runner.reset();
        proxy.reset();
    });
}

}  // namespace

// Every fault between miner and pool: the miner recovers and gets shares accepted, and the books
// balance. Miner side: every share found ends accepted, rejected with a reason, stale or unanswered
// (quiesce() waits until each has an outcome). Pool side: it accepted no share the miner does not
// know of, except ones whose answer was lost (unanswered) or that came back as duplicates.
TEST_CASE("fault injection: the miner recovers from each fault and no share vanishes") {
    using test::Fault;
    const std::pair<Fault, const char*> faults[] = {
        {Fault::None, "none"},         {Fault::Delay, "delay"},         {Fault::Drop, "drop"},
        {Fault::Reset, "reset"},       {Fault::Duplicate, "duplicate"}, {Fault::Reorder, "reorder"},
        {Fault::Truncate, "truncate"}, {Fault::Corrupt, "corrupt"},     {Fault::Trickle, "trickle"},
        {Fault::BlackHole, "black-hole"}, {Fault::Refuse, "refuse connects"},
        {Fault::HalfCloseToMiner, "half-close pool to miner"}, {Fault::HalfCloseToPool, "half-close miner to pool"},
        {Fault::Deaf, "pool stops reading (half-open)"},
    };
    for (const auto& [fault, text] : faults) {
        const std::string name = text;
        CAPTURE(name);
        run_fault_scenario(fault, std::nullopt);
    }
}

// The same over TLS, the proxy passing the encrypted bytes: a record cut short and the connection
// closed (the miner reads a truncated stream), and a record cut short with both sockets left open
// (only the miner's deadline can tell). The certificate names 127.0.0.1, as the proxy is.
TEST_CASE("fault injection over TLS: a record cut mid-way, closed or stalled; the miner reconnects and no share vanishes") {
    using test::Fault;
    ThrowAwayCert cert;
    for (const auto& [fault, text] : {std::pair{Fault::CutTls, "cut mid-record"}, std::pair{Fault::StallTls, "stall mid-record"}}) {
        const std::string name = text;
        CAPTURE(name);
        run_fault_scenario(fault, cert);
    }
}

namespace {

std::size_t env_count(const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    return v ? static_cast<std::size_t>(std::strtoul(v, nullptr, 10)) : fallback;
}

double rss_mb() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    return 0;
}

}  // namespace

// The pool under load: many subscribed miners that never submit plus sockets trickling one byte a
// second, while a real miner gets shares accepted. CI runs 50 + 10; scripts/load.sh runs 500 + 100
// (HF_LOAD_SUBSCRIBED, HF_LOAD_TRICKLE) and prints the figures.
TEST_CASE("load: idle subscribers and tricklers do not stop a real miner; tricklers are closed by the idle limit") {
    const std::size_t subscribed = env_count("HF_LOAD_SUBSCRIBED", 50), trickling = env_count("HF_LOAD_TRICKLE", 10);
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    REQUIRE(files.rlim_cur > 2 * (subscribed + trickling) + 64);
    PoolOptions po = easy_pool();
    po.idle_timeout = 4s;  // no complete line for 4 s: closed, however many bytes trickle in
    po.subscribe_timeout = 60s;
    // Declared before the rig: its loop may still run their close handlers while it shuts down.
    std::vector<std::shared_ptr<net::LineConnection>> idle;
    std::atomic<std::size_t> opened{0}, closed_subscribed{0}, closed_trickling{0};
    Rig rig(po, std::nullopt, subscribed + trickling + 1);  // all from 127.0.0.1
    const std::string port = std::to_string(rig.server->port());
    rig.lt.run([&] {
        for (std::size_t i = 0; i < subscribed + trickling; ++i) {
            const bool trickle = i >= subscribed;
            net::LineConnection::connect(rig.lt.loop, "127.0.0.1", port, {}, 10s,
                                         [&, trickle](std::shared_ptr<net::LineConnection> c, std::string) {
                                             if (!c) return;
                                             ++opened;
                                             c->start({[](std::string_view) {},
                                                       [&, trickle](const std::string&) { ++(trickle ? closed_trickling : closed_subscribed); }},
                                                      600s);
                                             c->send(trickle ? std::string("{\"id\":1,") : std::string(
                                                 "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"idle/1\"]}\n"));
                                             idle.push_back(c);
                                         });
        }
    });
    REQUIRE(wait_until([&] { return opened.load() == subscribed + trickling; }, 30s));
    // The tricklers send one byte a second; the subscribed miners stay silent but within the limit
    // by sending a line every 2 s (as a miner submitting shares would).
    std::atomic<bool> stop{false};
    std::thread feeder([&] {
        for (int tick = 0; !stop; ++tick) {
            rig.lt.loop.post([&, tick] {
                for (std::size_t i = 0; i < idle.size(); ++i) {
                    if (i >= subscribed) idle[i]->send("\"");
                    else if (tick % 2 == 0) idle[i]->send("{\"id\":2,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}\n");
                }
            });
            std::this_thread::sleep_for(1s);
        }
    });
    rig.start(runner_options({rig.url()}));
    const bool mined = wait_until([&] { return rig.accepted() >= 5; }, patience());
    const bool trickle_closed = wait_until([&] { return closed_trickling.load() == trickling; }, 15s);
    const double mb = rss_mb();
    const auto held = rig.pool.stats().connections;
    stop = true;
    feeder.join();
    MESSAGE("load: " << subscribed << " subscribed + " << trickling << " trickling; pool held " << held
                     << " connections with the miner; process RSS " << mb << " MB (measured, /proc/self/status)");
    CHECK(mined);
    CHECK(trickle_closed);
    CHECK(closed_subscribed.load() == 0);
    CHECK(held == subscribed + 1);
    // The 300 MB goal is the release build's: AddressSanitizer keeps up to 256 MB of freed memory in
    // quarantine, and what earlier tests in this process freed counts too (330 MB seen).
    if (!sanitized()) CHECK(mb < 300);
    rig.quiesce();
    CHECK(rig.runner->snapshot().total.rejected_total() == 0);
    rig.lt.run([&] {
        for (auto& c : idle) c->close("done");
        idle.clear();
    });
}

namespace {

// A pool that changes the work under the miner as fast as it can: every 20 ms a new extranonce1
// (mining.set_extranonce), a new difficulty, and every other time a new job (a real pool's notify,
// renamed). Like a real pool it judges each share by the extranonce1 in force now and the
// difficulty its job was sent with, and answers each submit late (after `answer_delay`).
struct MutatingPool {
    net::EventLoop& loop;
    nlohmann::json notify = test::load_vector("stratum_job.json")["notify"];
    std::unique_ptr<net::LineListener> listener;
    std::shared_ptr<net::LineConnection> conn;
    net::Timer mutate_timer{loop};
    std::vector<std::unique_ptr<net::Timer>> answer_timers;
    LineSplitter splitter;
    std::vector<std::uint8_t> extranonce1{0, 0, 0, 1};
    double difficulty = 2e-5;
    std::map<std::string, std::pair<MiningJob, double>> jobs;  // by id: the job and its difficulty
    int step = 0, next_job = 1;
    std::atomic<int> accepted{0}, rejected{0}, submits{0};
    std::chrono::milliseconds answer_delay{0};

    explicit MutatingPool(net::EventLoop& l) : loop(l) {
        listener = std::make_unique<net::LineListener>(loop, "127.0.0.1", 0, std::nullopt, [this](std::shared_ptr<net::LineConnection> c) {
            conn = c;
            c->start({[this](std::string_view bytes) { on_bytes(bytes); }, {}}, 60s);
        });
    }
    void send(const std::string& line) {
        if (conn) conn->send(line);
    }
    void send_job(bool clean) {
        nlohmann::json n = notify;
        const std::string id = std::to_string(next_job++);
        n["params"][0] = id;
        n["params"][8] = clean;
        jobs[id] = {parse_notify(n), difficulty};
        send(n.dump() + "\n");
    }
    void mutate() {
        ++step;
        extranonce1[3] = static_cast<std::uint8_t>(extranonce1[3] + 1);
        send(make_notification("mining.set_extranonce", {hex_encode(extranonce1), 4}));
        difficulty = step % 2 ? 4e-5 : 2e-5;
        send(make_notification("mining.set_difficulty", {difficulty}));
        if (step % 2 == 0) send_job(false);
        mutate_timer.after(20ms, [this] { mutate(); });
    }
    void on_bytes(std::string_view bytes) {
        std::vector<std::string> lines;
        splitter.feed(bytes, lines);
        for (const auto& l : lines) {
            const Message m = parse_message(l);
            if (m.method == "mining.configure") {
                send(make_result(m.id, {{"version-rolling", true}, {"version-rolling.mask", "1fffe000"}}));
            } else if (m.method == "mining.subscribe") {
                send(make_result(m.id, {nlohmann::json::array(), hex_encode(extranonce1), 4}));
            } else if (m.method == "mining.authorize") {
                send(make_result(m.id, true));
                send(make_notification("mining.set_difficulty", {difficulty}));
                send_job(true);
                mutate_timer.after(20ms, [this] { mutate(); });
            } else if (m.method == "mining.submit") {
                ++submits;
                const std::string answer = judge(m);
                answer_timers.push_back(std::make_unique<net::Timer>(loop));
                answer_timers.back()->after(answer_delay, [this, answer] { send(answer); });
            } else {
                send(make_result(m.id, true));
            }
        }
    }
    std::string judge(const Message& m) {
        const auto& p = m.params;
        const auto job = jobs.find(p[1].get<std::string>());
        if (job == jobs.end()) return ++rejected, make_error(m.id, kErrStale, "Job not found");
        const MiningJob& j = job->second.first;
        const std::uint32_t version = p.size() > 5 ? rolled_version(j.version, 0x1fffe000, hex_to_u32(p[5].get<std::string>(), "v")) : j.version;
        const ShareWork w = compute_share(j, extranonce1, hex_decode(p[2].get<std::string>()),
                                          hex_to_u32(p[3].get<std::string>(), "ntime"), hex_to_u32(p[4].get<std::string>(), "nonce"), version);
        if (!hash_meets_target(w.hash, difficulty_to_target(job->second.second)))
            return ++rejected, make_error(m.id, kErrLowDifficulty, "Low difficulty share");
        return ++accepted, make_result(m.id, true);
    }
};

// The product's search engine as the runner's work sink (as cli/miner_session does it).
struct EngineSink : WorkSink {
    std::atomic<ClientRunner*> runner{nullptr};
    SearchEngine engine{{1, choose_backend(core_backends(), 2ms), [this](const FoundShare& s) {
                             if (auto* r = runner.load()) r->found_share(s);
                         }}};
    std::uint64_t set_job(const EngineJob& job) override { return engine.set_job(job); }
    void pause() override { engine.pause(); }
};

}  // namespace

// Issue 16: a release run against such a pool reported "5349 failed re-verification" beside
// "hardware errors 0". Shares are re-checked against the job (extranonce1, difficulty) they were
// found for, so work that changed never fails re-verification: it is stale. The count came from
// the session's cap on unanswered submits (max_pending_submits), whose refusals were filed as
// failed re-verification and dropped; such shares are now held and submitted as answers come.
TEST_CASE("a pool that changes extranonce1 and difficulty under the miner, and answers late: every share in one bucket") {
    LoopThread lt;
    std::unique_ptr<MutatingPool> pool;
    lt.run([&] { pool = std::make_unique<MutatingPool>(lt.loop); });
    pool->answer_delay = 100ms;
    EngineSink sink;
    auto o = runner_options({"stratum+tcp://127.0.0.1:" + std::to_string(pool->listener->port())});
    o.session.max_pending_submits = 4;  // the pool falls behind at once
    std::unique_ptr<ClientRunner> runner;
    std::mutex log_mutex;
    std::string log;
    std::atomic<int> held_seen{0};
    RunnerEvents ev;
    ev.info = [&](const std::string& t) {
        std::lock_guard lock(log_mutex);
        log += t + "\n";
    };
    ev.share = [&](const ShareResult& r, std::size_t) {
        std::lock_guard lock(log_mutex);
        if (!r.accepted) log += "share: " + r.reason.text + "\n";
    };
    lt.run([&] {
        runner = std::make_unique<ClientRunner>(lt.loop, o, sink, ev);
        sink.runner = runner.get();
        runner->start();
    });
    auto snap = [&] { return runner->snapshot(); };
    REQUIRE_MESSAGE(wait_until([&] {
        const auto s = snap();
        if (s.held > 0) ++held_seen;
        return s.total.accepted >= 10 && s.total.stale_local >= 10 && held_seen > 0;
    }, patience()), log);
    // Stop finding shares, then wait until every one found has settled.
    sink.runner = nullptr;
    sink.engine.pause();
    const std::uint64_t found = sink.engine.hashrate().shares;
    REQUIRE_MESSAGE(wait_until([&] {
        const auto s = snap();
        return s.found == found && s.held == 0 && s.awaiting_answer == 0;
    }, patience()), log);
    const auto s = snap();
    const auto& t = s.total;
    std::lock_guard lock(log_mutex);
    CAPTURE(log);
    INFO("found " << found << ": accepted " << t.accepted << ", rejected " << t.rejected_total() << ", stale " << t.stale_local << ", hardware errors " << t.invalid_local);
    CHECK(s.settled() == found);                  // every share in exactly one bucket
    CHECK(t.invalid_local == 0);                   // changed work is never a failed re-verification
    CHECK(sink.engine.hashrate().hardware_errors == 0);
    CHECK(t.unanswered == 0);
    CHECK(t.accepted == static_cast<std::uint64_t>(pool->accepted.load()));
    CHECK(t.rejected_total() == static_cast<std::uint64_t>(pool->rejected.load()));
    // Shares found under an extranonce1 the pool had replaced are stale locally, with the reason.
    CHECK(log.find("which the pool has since replaced with") != std::string::npos);
    CHECK(t.stale_causes.count("extranonce1 replaced"));
    std::uint64_t by_cause = 0;
    for (const auto& [cause, n] : t.stale_causes) by_cause += n;
    CHECK(by_cause == t.stale_local);
    lt.run([&] {
        runner.reset();
        pool.reset();
    });
}
