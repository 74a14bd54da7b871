// The Stratum V1 client protocol for one connection, without any I/O: bytes in (feed), lines out
// (the send callback), time passed in explicitly. The network runner (client_runner.hpp) drives it;
// tests drive it with scripted pool transcripts.
//
// Order on a new connection, as cgminer/bmminer and Bitaxe do it:
//   mining.configure (BIP 310 version-rolling; answered within configure_timeout or skipped)
//   mining.subscribe [user agent, session id to resume]
//   mining.extranonce.subscribe, mining.suggest_difficulty, mining.authorize
// then mining.notify / mining.set_difficulty / ... from the pool and mining.submit from us.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/search_engine.hpp"
#include "stratum/message.hpp"

namespace hf::stratum {

struct SessionOptions {
    std::string user;
    std::string password;
    std::string user_agent = "hashforge/0.1.0";
    bool version_rolling = true;
    std::uint32_t requested_version_mask = 0x1fffe000;  // BIP 310's usual mask (bits 13..28)
    std::optional<double> suggest_difficulty;
    bool extranonce_subscribe = true;
    std::string resume_session_id;  // from an earlier subscribe to the same pool
    std::chrono::milliseconds configure_timeout{3000};
    std::chrono::milliseconds response_timeout{15000};  // subscribe and authorize answers
    std::chrono::milliseconds submit_timeout{60000};
    std::size_t max_pending_submits = 1024;
    std::size_t max_jobs = 32;  // jobs remembered for share checks
};

// A job as the session hands it to the miner, with what is needed to check its shares later.
struct SessionJob {
    EngineJob work;
    std::uint64_t connection_epoch = 0;  // which connection it came from
};

struct ShareResult {
    FoundShare share;
    bool submitted = false;  // false: refused locally (stale job, failed re-verification)
    bool accepted = false;
    bool answered = true;    // false: the pool never answered (or the connection closed first)
    RejectReason reason;     // when not accepted
    std::string stale_cause; // refused locally as stale: what replaced its work ("clean job", ...)
    double difficulty = 0;   // the share difficulty it was judged by (the job's)
    std::chrono::milliseconds latency{0};
};

struct SessionCallbacks {
    std::function<void(const std::string& line)> send;
    std::function<void(std::string_view line)> received;         // each complete line, for -P dumps
    std::function<void(const SessionJob& job)> job;             // new work for the miner
    std::function<void(const ShareResult& result)> share_result;
    std::function<void(const std::string& text)> log;           // pool messages, protocol errors
    std::function<void(const std::string& host, const std::string& port, int wait_seconds)> reconnect;
    std::function<void()> ready;                                  // authorized: shares may be submitted
    std::function<void(const std::string& why)> fail;             // this connection must end
};

class ClientSession {
public:
    enum class State { Idle, Configuring, Subscribing, Authorizing, Ready, Failed };

    ClientSession(SessionOptions options, SessionCallbacks callbacks, std::uint64_t connection_epoch);

    void start(Clock::time_point now);
    // Raw bytes from the pool; lines may be split across calls or several arrive at once. A malformed
    // message is reported through log and skipped; an over-long line fails the session.
    void feed(std::string_view bytes, Clock::time_point now);
    void handle_line(std::string_view line, Clock::time_point now);
    void tick(Clock::time_point now);  // timeouts; call about once a second

    // Re-verifies `share` against `job` (the job it was found for, never a newer one) and submits it,
    // or reports it as refused locally: a hardware error (kind Other) when it fails that re-check,
    // stale when the job is gone. A job from an earlier connection is used only when this connection
    // kept its extranonce1 and tip. Returns false, reporting nothing, while max_pending_submits
    // submits await an answer: the share is not taken, and the caller keeps it for later.
    bool submit(const FoundShare& share, const SessionJob& job, Clock::time_point now);
    std::size_t awaiting_answer() const { return submits_.size(); }

    // Shares sent but not answered, to resubmit on the next connection (the session is then dead).
    std::vector<std::pair<FoundShare, SessionJob>> take_unanswered();

    State state() const { return state_; }
    bool ready() const { return state_ == State::Ready; }
    const std::vector<std::uint8_t>& extranonce1() const { return extranonce1_; }
    std::size_t extranonce2_size() const { return extranonce2_size_; }
    double difficulty() const { return difficulty_; }  // the difficulty for the next job
    std::uint32_t version_mask() const { return version_mask_; }
    bool version_rolling_answered() const { return configure_answered_; }
    const std::string& session_id() const { return session_id_; }
    const std::optional<SessionJob>& current_job() const { return current_job_; }
    std::optional<Clock::time_point> last_notify() const { return last_notify_; }

private:
    enum class Pending { Configure, Subscribe, ExtranonceSubscribe, SuggestDifficulty, Authorize };
    struct PendingSubmit {
        FoundShare share;
        SessionJob job;
        Clock::time_point sent;
    };

    void send_request(Pending what, std::string_view method, nlohmann::json params, Clock::time_point now);
    void subscribe(Clock::time_point now);
    void handle_response(const Message& m, Clock::time_point now);
    void handle_method(const Message& m, Clock::time_point now);
    void on_configure_result(const Message& m, Clock::time_point now);
    void on_subscribe_result(const Message& m, Clock::time_point now);
    void on_submit_result(const Message& m, PendingSubmit p, Clock::time_point now);
    void on_notify(const Message& m, Clock::time_point now);
    void emit_job(MiningJob job, Clock::time_point now);
    void fail(const std::string& why);
    void log(const std::string& text);
    bool job_usable(const SessionJob& job, std::string& why, std::string& cause) const;
    bool reverify(const FoundShare& share, const SessionJob& job, std::string& why) const;

    SessionOptions opt_;
    SessionCallbacks cb_;
    std::uint64_t epoch_;
    State state_ = State::Idle;
    LineSplitter splitter_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::pair<Pending, Clock::time_point>> pending_;
    std::map<std::uint64_t, PendingSubmit> submits_;
    std::optional<Clock::time_point> configure_deadline_;
    bool configure_answered_ = false;
    bool resume_tried_ = false;

    std::vector<std::uint8_t> extranonce1_;
    std::size_t extranonce2_size_ = 4;
    double difficulty_ = 1.0;
    std::uint32_t version_mask_ = 0;
    std::string session_id_;
    std::optional<SessionJob> current_job_;
    std::deque<std::string> live_jobs_;  // job ids still valid on this connection, newest last
    std::optional<Clock::time_point> last_notify_;
    std::optional<Clock::time_point> last_response_;  // any answer: the pool is reading
};

}  // namespace hf::stratum
