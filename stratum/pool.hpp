// The built-in Stratum V1 pool, without any I/O: connections feed it bytes and get lines back
// through their send callbacks; the network layer (pool_server.hpp) and tests drive it.
//
// It makes its own regtest-style block template, gives each connection its own extranonce1 (kept
// across a reconnect that resumes the session), grants BIP 310 version rolling, runs vardiff towards
// a shares-per-minute goal, re-checks every share with core's compute_share and target code, and
// refuses bad ones with the standard codes: 20 other, 21 stale, 22 duplicate, 23 low difficulty,
// 24 unauthorized, 25 not subscribed. A share that also meets nBits is a block: counted, logged, and
// the pool moves to the next height with clean jobs.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "stratum/block_template.hpp"
#include "stratum/message.hpp"

namespace hf::stratum {

struct PoolOptions {
    TemplateOptions block;
    double start_difficulty = 0.001;
    double min_difficulty = 1e-9;
    double max_difficulty = 1e15;
    bool vardiff = true;
    double shares_per_minute = 20;                 // vardiff goal per connection
    // Vardiff measures each connection's hashrate from the difficulty of its accepted shares. The
    // first retarget comes once a new connection (or a new suggested difficulty) has shown
    // vardiff_first_shares shares over at least vardiff_first_wait, and goes straight to the rate
    // shown (no shares in vardiff_interval: difficulty / 4). After that the difficulty is held unless
    // a window of vardiff_window_shares shares (or 4 intervals) shows a rate outside
    // [goal / vardiff_hold_ratio, goal * vardiff_hold_ratio] and, kept open, still does at twice
    // the shares (or 8 intervals); or 2 intervals pass without a share. 12 shares measure a rate only
    // to about ±30% (1/sqrt(12)): a miner on the goal shows a 12-share window beyond ×3 about once
    // in 1,000 windows (more when the first retarget's estimate was off), and acting on one such
    // window made the held difficulty jump ×3 and back; a confirmed window is beyond ×3 by chance
    // about once in a million.
    std::size_t vardiff_first_shares = 4;
    std::chrono::milliseconds vardiff_first_wait{2000};
    std::size_t vardiff_window_shares = 12;
    double vardiff_hold_ratio = 3.0;
    std::chrono::milliseconds vardiff_interval{15000};
    std::chrono::milliseconds job_interval{30000};       // fresh ntime this often
    std::uint32_t version_mask = 0x1fffe000;       // bits miners may roll (BIP 310)
    std::size_t max_jobs = 64;                      // jobs remembered for share checks (>= 1)
    // A connection must subscribe within subscribe_timeout, and is closed after idle_timeout without
    // a complete line: bytes that never finish a line (a trickle) do not count as activity.
    std::chrono::milliseconds subscribe_timeout{15000};
    std::chrono::milliseconds idle_timeout{600000};
    // Tables a hostile client must not grow without limit.
    std::size_t max_worker_name = 256;            // bytes
    std::size_t max_workers_per_connection = 64;
    std::size_t max_workers = 100000;             // distinct worker names the pool keeps stats for
    std::size_t max_sessions = 4096;              // remembered for resume after a reconnect
};

struct WorkerStats {
    std::uint64_t accepted = 0;
    std::map<int, std::uint64_t> rejected;  // by error code
    double accepted_difficulty = 0;          // sum of the difficulties of accepted shares
    double best_difficulty = 0;
    std::uint64_t blocks = 0;
};

struct PoolStats {
    std::uint64_t connections = 0;  // open now
    std::uint64_t accepted = 0;
    std::map<int, std::uint64_t> rejected;
    std::uint64_t blocks = 0;
    std::uint32_t height = 0;
    std::map<std::string, WorkerStats> workers;
};

class Pool {
public:
    using ConnectionId = std::uint64_t;
    using Send = std::function<void(const std::string& line)>;

    explicit Pool(PoolOptions options);
    ~Pool();

    ConnectionId open(std::string remote, Send send);
    void close(ConnectionId id);
    // Bytes from a miner. Returns false when the connection must be dropped (over-long line).
    bool feed(ConnectionId id, std::string_view bytes, Clock::time_point now);
    void handle_line(ConnectionId id, std::string_view line, Clock::time_point now);
    void tick(Clock::time_point now);  // vardiff and job refresh; call about once a second
    // Connections past their subscribe deadline or idle limit, with the reason; the caller closes
    // them (and then calls close()).
    std::vector<std::pair<ConnectionId, std::string>> expired(Clock::time_point now) const;

    // Operator actions (and test hooks): a new block template with clean jobs for everyone, and a
    // new difficulty for every connection (sent now, in force from the next job).
    void new_block(Clock::time_point now);
    void set_difficulty_all(double difficulty, Clock::time_point now);

    PoolStats stats() const;
    const PoolOptions& options() const { return options_; }
    void set_log(std::function<void(const std::string&)> log);

private:
    struct Session;
    struct Connection;
    struct JobEntry {
        MiningJob job;
        std::uint32_t height;
        // Its mining.notify line, serialised once (when first needed) for every connection: as first
        // sent (clean_jobs as made) and as sent again at the difficulty it was sent with (never
        // clean). After a difficulty change it goes out under an alias instead (send_job).
        std::string notify_first, notify_again;
        const std::string& notify(bool again);
    };

    void handle_request(Connection& c, const Message& m, Clock::time_point now);
    void handle_submit(Connection& c, const Message& m, Clock::time_point now);
    void send_job(Connection& c, const std::string& job_id);
    static std::string notify_line(const MiningJob& job, bool clean);
    static std::string hex_id(std::uint64_t n);
    static std::string_view base_job_id(std::string_view id);  // "<job id>.<n>" -> "<job id>"
    void broadcast_new_job(bool clean, Clock::time_point now);
    void change_difficulty(Connection& c, double difficulty, Clock::time_point now);
    void run_vardiff(Connection& c, Clock::time_point now);
    void restart_vardiff_window(Connection& c, Clock::time_point now);
    void reject(Connection& c, const Message& m, const std::string& worker, int code, const std::string& text);
    void log(const std::string& text);
    std::uint32_t unix_now() const;

    mutable std::mutex mutex_;
    PoolOptions options_;
    std::function<void(const std::string&)> log_;
    BlockTemplate template_;
    std::map<std::string, JobEntry, std::less<>> jobs_;
    std::deque<std::string> job_order_;
    std::string current_job_;
    std::uint64_t next_job_ = 1;
    Clock::time_point last_job_time_{};
    std::uint32_t next_extranonce1_ = 0;
    ConnectionId next_connection_ = 1;
    std::map<ConnectionId, std::unique_ptr<Connection>> connections_;
    std::map<std::string, std::shared_ptr<Session>> sessions_;  // by session id, for resume
    std::deque<std::string> session_order_;
    std::uint64_t accepted_ = 0;
    std::map<int, std::uint64_t> rejected_;
    std::uint64_t blocks_ = 0;
    std::map<std::string, WorkerStats> workers_;
};

}  // namespace hf::stratum
