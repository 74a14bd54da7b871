// Keeps a miner connected: drives one ClientSession at a time over a LineConnection, fails over
// through the pools in priority order, probes the primary every primary_probe and returns to it,
// reconnects with capped exponential back-off and jitter, and treats a pool that sends no
// mining.notify for `watchdog` as dead. Shares found while disconnected are held and submitted
// after reconnecting when their job is still good (else counted stale); nothing is dropped silently.
//
// Everything runs on the event loop's thread; found_share() and snapshot() may be called from any.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "stratum/client_session.hpp"
#include "stratum/net.hpp"
#include "stratum/pool_url.hpp"

namespace hf::stratum {

// Where hashing happens: the search engine in the program, a scripted miner in tests.
class WorkSink {
public:
    virtual ~WorkSink() = default;
    virtual std::uint64_t set_job(const EngineJob& job) = 0;  // returns the job's generation
    virtual void pause() = 0;
};

struct PoolConfig {
    std::string url;
    std::string user;
    std::string password;
};

struct RunnerOptions {
    std::vector<PoolConfig> pools;   // priority order
    SessionOptions session;          // user and password are taken from each pool
    net::TlsClientConfig tls;        // `enabled` is set per URL
    bool allow_redirect = false;     // client.reconnect to another host
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds watchdog{120000};
    std::chrono::milliseconds backoff_initial{1000};
    std::chrono::milliseconds backoff_max{60000};
    std::chrono::milliseconds primary_probe{60000};
    std::size_t max_held_shares = 4096;
};

// Every share found ends in exactly one bucket: accepted, rejected (by the pool, with its reason),
// stale_local (not submitted: its work was replaced, with the reason), invalid_local (not submitted:
// it failed the host re-check against the job it was found for, a hardware error), unanswered (sent,
// the pool never answered), or, for now, held (RunnerSnapshot::held) or awaiting an answer.
struct ShareCounters {
    std::uint64_t accepted = 0;
    std::array<std::uint64_t, 4> rejected{};  // by RejectKind, answered by the pool
    std::uint64_t stale_local = 0;            // not submitted: the job was gone
    std::map<std::string, std::uint64_t> stale_causes;  // stale_local by cause (ShareResult::stale_cause)
    std::uint64_t invalid_local = 0;          // not submitted: failed host re-verification (hardware error)
    std::uint64_t unanswered = 0;
    double accepted_difficulty = 0;
    double rejected_difficulty = 0;
    double best_share = 0;
    std::uint64_t rejected_total() const { return rejected[0] + rejected[1] + rejected[2] + rejected[3]; }
    std::uint64_t stale_total() const { return rejected[0] + stale_local; }
};

struct PoolStatus {
    std::string url;
    std::string user;
    ShareCounters shares;
    std::uint64_t connects = 0;
    std::uint64_t failures = 0;
    bool alive = false;  // connected and authorized now
    double difficulty = 0;
    std::uint32_t version_mask = 0;
    std::string last_error;
    std::optional<std::chrono::system_clock::time_point> last_share;
};

struct RunnerSnapshot {
    std::vector<PoolStatus> pools;
    std::size_t active = 0;  // index of the pool in use (or being tried)
    bool connected = false;
    std::size_t held = 0;    // shares waiting to be submitted (no connection, or the pool is behind)
    std::size_t awaiting_answer = 0;  // submitted, no answer yet
    std::uint64_t found = 0;  // shares handed to found_share(): the sum of every bucket
    ShareCounters total;
    // found == accepted + rejected + stale_local + invalid_local + unanswered + held + awaiting_answer
    std::uint64_t settled() const {
        return total.accepted + total.rejected_total() + total.stale_local + total.invalid_local + total.unanswered;
    }
};

struct RunnerEvents {
    std::function<void(const std::string&)> info;
    std::function<void(const std::string&)> debug;
    std::function<void(const std::string&)> dump;  // "> line" sent, "< line" received
    std::function<void(const ShareResult&, std::size_t pool)> share;
};

class ClientRunner {
public:
    ClientRunner(net::EventLoop& loop, RunnerOptions options, WorkSink& sink, RunnerEvents events);
    ~ClientRunner();

    void start();
    void stop();  // closes the connection and pauses the miner
    void found_share(FoundShare share);  // thread-safe
    void switch_pool(std::size_t index);  // loop thread
    RunnerSnapshot snapshot() const;      // thread-safe

private:
    struct Held {
        FoundShare share;
        SessionJob job;
    };

    void connect(std::size_t index, std::optional<PoolUrl> override_url);
    void on_connected(std::uint64_t epoch, std::shared_ptr<net::LineConnection> conn, std::size_t index);
    void on_lost(std::uint64_t epoch, const std::string& why);
    void schedule_next(std::chrono::milliseconds delay, std::size_t index, std::optional<PoolUrl> url = std::nullopt);
    void tick();
    void probe_primary();
    void submit_or_hold(const FoundShare& share, const SessionJob& job);
    void flush_held();
    void record(const ShareResult& r, std::size_t pool);
    void record_unanswered_at_stop();
    std::chrono::milliseconds backoff();
    void info(const std::string& text);
    void publish_queue_counts();

    net::EventLoop& loop_;
    RunnerOptions opt_;
    WorkSink& sink_;
    RunnerEvents ev_;
    std::vector<PoolUrl> urls_;
    net::Timer tick_timer_;
    net::Timer retry_timer_;
    net::Timer probe_timer_;
    std::mt19937_64 rng_{std::random_device{}()};

    std::size_t index_ = 0;  // written on the loop thread under stats_mutex_; read there without it
    std::uint64_t epoch_ = 0;
    std::shared_ptr<net::LineConnection> conn_;
    std::unique_ptr<ClientSession> session_;
    std::optional<std::size_t> switch_to_;
    bool session_was_ready_ = false;
    unsigned consecutive_failures_ = 0;
    std::map<std::string, std::string> resume_ids_;  // by pool URL
    std::optional<PoolUrl> current_url_;
    Clock::time_point connected_at_{};
    std::optional<Clock::time_point> last_work_;
    bool work_active_ = false;
    Clock::time_point last_probe_{};
    std::shared_ptr<net::LineConnection> probe_conn_;
    bool stopped_ = false;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // async handlers hold a weak_ptr to it

    std::map<std::uint64_t, SessionJob> jobs_;  // by engine generation (bounded)
    std::deque<Held> held_;
    bool flushing_ = false;
    bool held_while_disconnected_ = false;  // the next flush announces itself

    mutable std::mutex stats_mutex_;
    std::vector<PoolStatus> status_;
    std::size_t held_count_ = 0;      // held_, plus shares found but not yet taken on the loop
    std::size_t awaiting_count_ = 0;
    std::uint64_t found_ = 0;
    std::uint64_t queued_ = 0;        // found_share() calls not yet run on the loop
};

}  // namespace hf::stratum
