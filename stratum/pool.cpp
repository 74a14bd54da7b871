#include "stratum/pool.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/hex.hpp"
#include "core/target.hpp"

namespace hf::stratum {

// What the pool remembers of a miner's session, so a reconnect that resumes it keeps its
// extranonce1 and the difficulty each of its jobs was sent with.
struct Pool::Session {
    std::string id;
    std::vector<std::uint8_t> extranonce1;
    // The difficulty each job id was sent to this miner with. A job sent again at a new difficulty
    // goes out under an alias, "<job id>.<n>", so every share names the difficulty it was mined at.
    std::map<std::string, double> job_difficulty;
    std::deque<std::string> aliases;  // oldest first; at most max_jobs kept
    std::uint64_t next_alias = 1;
    std::set<std::string> submitted;  // duplicate detection: job/en2/ntime/nonce/version
    double difficulty = 0;
    std::uint32_t version_mask = 0;
};

struct Pool::Connection {
    ConnectionId id = 0;
    std::string remote;
    Send send;
    LineSplitter splitter;
    std::shared_ptr<Session> session;  // set by mining.subscribe
    std::set<std::string> workers;      // authorized
    double next_difficulty = 0;
    bool difficulty_sent = false;
    std::uint32_t version_mask = 0;   // granted by mining.configure
    std::string user_agent;
    Clock::time_point opened{};
    Clock::time_point last_line{};     // last complete line: what the idle limit measures
    // Vardiff: the shares accepted since window_start and the sum of their difficulties.
    Clock::time_point window_start{};
    std::uint64_t window_shares = 0;
    double window_difficulty = 0;
    bool window_suspect = false;       // held phase: this window was outside the band once, awaiting confirmation
    bool retargeted = false;           // the first retarget (to the rate shown) is done
    double floor_difficulty = 0;       // mining.suggest_difficulty: vardiff goes no lower
};

Pool::Pool(PoolOptions options) : options_(std::move(options)) {
    std::random_device rd;
    next_extranonce1_ = rd();
    Hash256 genesis{};
    const std::string seed = "hashforge regtest genesis";
    genesis = sha256::hash256d(std::span(reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()));
    template_ = make_template(options_.block, 1, genesis);
    broadcast_new_job(true, Clock::now());
}

Pool::~Pool() = default;

void Pool::set_log(std::function<void(const std::string&)> log) {
    std::lock_guard lock(mutex_);
    log_ = std::move(log);
}

void Pool::log(const std::string& text) {
    if (log_) log_(text);
}

std::uint32_t Pool::unix_now() const {
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

Pool::ConnectionId Pool::open(std::string remote, Send send) {
    std::lock_guard lock(mutex_);
    auto c = std::make_unique<Connection>();
    c->id = next_connection_++;
    c->remote = std::move(remote);
    c->send = std::move(send);
    c->next_difficulty = options_.start_difficulty;
    c->opened = c->last_line = c->window_start = Clock::now();
    const auto id = c->id;
    connections_[id] = std::move(c);
    return id;
}

void Pool::close(ConnectionId id) {
    std::lock_guard lock(mutex_);
    connections_.erase(id);
}

bool Pool::feed(ConnectionId id, std::string_view bytes, Clock::time_point now) {
    std::vector<std::string> lines;
    {
        std::lock_guard lock(mutex_);
        auto it = connections_.find(id);
        if (it == connections_.end()) return false;
        try {
            it->second->splitter.feed(bytes, lines);
        } catch (const ProtocolError& e) {
            log("dropping " + it->second->remote + ": " + e.what());
            return false;
        }
    }
    for (const auto& l : lines) {
        try {
            handle_line(id, l, now);
        } catch (const std::exception& e) {  // a bug must cost this connection, never the pool
            std::lock_guard lock(mutex_);
            log("dropping connection " + std::to_string(id) + ": " + e.what());
            return false;
        }
    }
    return true;
}

void Pool::handle_line(ConnectionId id, std::string_view line, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& c = *it->second;
    c.last_line = now;
    Message m;
    try {
        m = parse_message(line);
    } catch (const ProtocolError& e) {
        log(c.remote + " sent a malformed message: " + e.what());
        c.send(make_error(nullptr, kErrOther, std::string("malformed message: ") + e.what()));
        return;
    }
    if (m.kind == MessageKind::Response) return;  // answers to client.get_version etc.
    try {
        handle_request(c, m, now);
    } catch (const std::exception& e) {
        c.send(make_error(m.id, kErrOther, std::string("bad ") + m.method + ": " + e.what()));
    }
}

void Pool::reject(Connection& c, const Message& m, const std::string& worker, int code, const std::string& text) {
    ++rejected_[code];
    if (auto it = workers_.find(worker); it != workers_.end()) ++it->second.rejected[code];  // only known workers
    log(c.remote + " " + (worker.empty() ? std::string("?") : worker) + ": share rejected (" + std::to_string(code) +
        " " + text + ")");
    c.send(make_error(m.id, code, text));
}

void Pool::send_job(Connection& c, const std::string& job_id) {
    if (!c.session) return;
    const auto job_it = jobs_.find(job_id);
    if (job_it == jobs_.end()) return;
    JobEntry& e = job_it->second;
    if (!c.difficulty_sent || c.session->difficulty != c.next_difficulty) {
        c.session->difficulty = c.next_difficulty;
        c.send(make_notification("mining.set_difficulty", {c.next_difficulty}));
        c.difficulty_sent = true;
    }
    // Forget difficulties of jobs the pool itself no longer knows.
    for (auto it = c.session->job_difficulty.begin(); it != c.session->job_difficulty.end();)
        it = jobs_.count(base_job_id(it->first)) ? std::next(it) : c.session->job_difficulty.erase(it);
    const double difficulty = c.session->difficulty;
    const auto [known, fresh] = c.session->job_difficulty.try_emplace(job_id, difficulty);
    if (fresh || known->second == difficulty) return c.send(e.notify(!fresh));
    // The job again at a new difficulty (see change_difficulty): under an alias, never clean, and
    // with ntime one second later per alias of this job, so a miner that starts its extranonce2
    // over on a new job id hashes new headers rather than resubmitting duplicates.
    std::string alias = job_id + "." + hex_id(c.session->next_alias++);
    const auto same_job = [&](const std::string& a) { return base_job_id(a) == job_id; };
    MiningJob again = e.job;
    again.job_id = alias;
    again.ntime += 1 + static_cast<std::uint32_t>(std::count_if(c.session->aliases.begin(), c.session->aliases.end(), same_job));
    c.session->job_difficulty[alias] = difficulty;
    c.session->aliases.push_back(alias);
    while (c.session->aliases.size() > std::max<std::size_t>(options_.max_jobs, 1)) {
        c.session->job_difficulty.erase(c.session->aliases.front());
        c.session->aliases.pop_front();
    }
    c.send(notify_line(again, false));
}

std::string Pool::hex_id(std::uint64_t n) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(n));
    return buf;
}

std::string_view Pool::base_job_id(std::string_view id) {
    return id.substr(0, id.find('.'));
}

const std::string& Pool::JobEntry::notify(bool again) {
    std::string& line = again ? notify_again : notify_first;
    if (line.empty()) line = notify_line(job, job.clean_jobs && !again);
    return line;
}

std::string Pool::notify_line(const MiningJob& j, bool clean) {
    nlohmann::json branch = nlohmann::json::array();
    for (const auto& b : j.merkle_branch) branch.push_back(hex_encode(b));
    return make_notification("mining.notify", {j.job_id, prevhash_to_notify_hex(j.prev_hash), hex_encode(j.coinb1),
                                               hex_encode(j.coinb2), branch, u32_to_hex(j.version), u32_to_hex(j.nbits),
                                               u32_to_hex(j.ntime), clean});
}

void Pool::broadcast_new_job(bool clean, Clock::time_point now) {
    if (clean) {
        jobs_.clear();
        job_order_.clear();
        for (auto& [id, c] : connections_)
            if (c->session) c->session->submitted.clear();
        for (auto& [id, s] : sessions_) s->submitted.clear();
    }
    const std::string job_id = hex_id(next_job_++);
    const auto current = jobs_.find(current_job_);
    const std::uint32_t ntime = std::max(unix_now(), current == jobs_.end() ? 0u : current->second.job.ntime);
    jobs_[job_id] = {template_.make_job(options_.block, job_id, ntime, clean), template_.height, {}, {}};
    job_order_.push_back(job_id);
    // Only here are jobs made, and the newest is the current one: evicting the oldest never drops it.
    while (job_order_.size() > std::max<std::size_t>(options_.max_jobs, 1)) {
        jobs_.erase(job_order_.front());
        job_order_.pop_front();
    }
    current_job_ = job_id;
    last_job_time_ = now;
    for (auto& [id, c] : connections_) send_job(*c, job_id);
}

void Pool::change_difficulty(Connection& c, double difficulty, Clock::time_point now) {
    difficulty = std::clamp(std::max(difficulty, c.floor_difficulty), options_.min_difficulty, options_.max_difficulty);
    restart_vardiff_window(c, now);
    if (c.session && difficulty == c.session->difficulty) return;
    c.next_difficulty = difficulty;
    // Stratum applies a difficulty from the next mining.notify: send the current job again (same id,
    // not clean) so it applies now. No job is made per connection, so no miner's work is evicted.
    if (c.session) send_job(c, current_job_);
}

void Pool::restart_vardiff_window(Connection& c, Clock::time_point now) {
    c.window_start = now;
    c.window_shares = 0;
    c.window_difficulty = 0;
    c.window_suspect = false;
}

// The difficulty at which this connection's measured hashrate gives the goal rate. Each share at
// difficulty d stands for d * 2^32 hashes on average, so the rate is sum(d) * 2^32 / seconds.
void Pool::run_vardiff(Connection& c, Clock::time_point now) {
    if (!options_.vardiff || !c.session) return;
    const auto elapsed = now - c.window_start;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const double current = c.session->difficulty;
    double next = current;
    if (!c.retargeted) {
        if (c.window_shares == 0 && elapsed >= options_.vardiff_interval) {
            next = current / 4;  // nothing in a whole window: the miner is far slower than assumed
        } else {
            if (c.window_shares < options_.vardiff_first_shares || elapsed < options_.vardiff_first_wait) return;
            next = c.window_difficulty / seconds * 60.0 / options_.shares_per_minute;
        }
    } else {
        // Held: judged only over enough shares (or a long window) that chance alone rarely moves it.
        if (c.window_shares == 0) {
            if (elapsed < 2 * options_.vardiff_interval) return;
            next = current / 4;
        } else {
            // A window outside the band is confirmed before it moves the difficulty: it stays open
            // until it holds twice the shares (or twice the time), and only then, still outside, counts.
            const std::size_t need = options_.vardiff_window_shares * (c.window_suspect ? 2 : 1);
            const auto limit = 4 * options_.vardiff_interval * (c.window_suspect ? 2 : 1);
            if (c.window_shares < need && elapsed < limit) return;
            const double ratio = c.window_difficulty / seconds * 60.0 / options_.shares_per_minute / current;
            if (ratio >= 1 / options_.vardiff_hold_ratio && ratio <= options_.vardiff_hold_ratio) {
                restart_vardiff_window(c, now);
                return;  // within the goal: hold
            }
            if (!c.window_suspect) {
                c.window_suspect = true;
                return;
            }
            next = current * std::clamp(ratio, 0.25, 16.0);
        }
    }
    const double rate = static_cast<double>(c.window_shares) / seconds * 60.0;
    c.retargeted = true;
    char text[160];
    std::snprintf(text, sizeof text, " vardiff: %.4g shares/min over %.1f s, difficulty %.6g -> %.6g", rate, seconds,
                  current, std::clamp(std::max(next, c.floor_difficulty), options_.min_difficulty, options_.max_difficulty));
    log(c.remote + text);
    change_difficulty(c, next, now);
}

void Pool::handle_request(Connection& c, const Message& m, Clock::time_point now) {
    const auto& p = m.params;
    if (m.method == "mining.configure") {
        nlohmann::json result = nlohmann::json::object();
        const nlohmann::json* exts = param(p, 0, "extensions");
        const nlohmann::json* ext_params = param(p, 1, "extension-parameters");
        if (!exts || !exts->is_array()) throw ProtocolError("extensions must be an array");
        for (const auto& e : *exts) {
            if (!e.is_string()) continue;
            if (e == "version-rolling") {
                std::uint32_t requested = 0xffffffff;
                if (ext_params && ext_params->is_object())
                    if (auto mi = ext_params->find("version-rolling.mask"); mi != ext_params->end() && mi->is_string())
                        requested = hex_to_u32(mi->get<std::string>(), "version-rolling.mask");
                c.version_mask = requested & options_.version_mask;
                if (c.session) c.session->version_mask = c.version_mask;
                result["version-rolling"] = c.version_mask != 0;
                result["version-rolling.mask"] = u32_to_hex(c.version_mask);
            } else {
                result[e.get<std::string>()] = false;
            }
        }
        c.send(make_result(m.id, result));
    } else if (m.method == "mining.subscribe") {
        if (const auto* ua = param(p, 0, "user_agent"); ua && ua->is_string()) c.user_agent = ua->get<std::string>();
        std::shared_ptr<Session> s;
        if (const auto* sid = param(p, 1, "session_id"); sid && sid->is_string()) {
            auto it = sessions_.find(sid->get<std::string>());
            bool in_use = false;
            if (it != sessions_.end())
                for (auto& [id, other] : connections_)
                    if (other->session == it->second) in_use = true;
            if (it != sessions_.end() && !in_use) {
                s = it->second;
                log(c.remote + " resumed session " + s->id);
            }
        }
        // A repeated subscribe (a retry, or a line duplicated on the way) keeps the connection's
        // session: a second extranonce1 would make every share of the first answer invalid.
        if (!s && c.session) s = c.session;
        if (!s) {
            s = std::make_shared<Session>();
            const std::uint32_t n = next_extranonce1_++;
            for (std::size_t i = 0; i < options_.block.extranonce1_size; ++i)
                s->extranonce1.push_back(static_cast<std::uint8_t>(i < 4 ? n >> (8 * (3 - i)) : 0));
            s->id = hex_encode(s->extranonce1);
            sessions_[s->id] = s;
            session_order_.push_back(s->id);
            while (session_order_.size() > options_.max_sessions) {
                sessions_.erase(session_order_.front());
                session_order_.pop_front();
            }
        }
        s->version_mask = c.version_mask;
        c.session = s;
        if (s->difficulty > 0) c.next_difficulty = s->difficulty;
        c.difficulty_sent = false;
        restart_vardiff_window(c, now);
        const nlohmann::json subscriptions = nlohmann::json::array(
            {nlohmann::json::array({"mining.set_difficulty", s->id}), nlohmann::json::array({"mining.notify", s->id})});
        c.send(make_result(m.id, nlohmann::json::array({subscriptions, hex_encode(s->extranonce1),
                                                        options_.block.extranonce2_size})));
        send_job(c, current_job_);
    } else if (m.method == "mining.authorize") {
        const auto* user = param(p, 0, "username");
        if (!user || !user->is_string() || user->get<std::string>().empty()) {
            c.send(make_error(m.id, kErrUnauthorized, "Unauthorized worker: no user name"));
            return;
        }
        // Bounded: a hostile client must not grow the pool's tables without limit.
        const std::string& name = user->get_ref<const std::string&>();
        if (name.size() > options_.max_worker_name ||
            (c.workers.size() >= options_.max_workers_per_connection && !c.workers.count(name)) ||
            (workers_.size() >= options_.max_workers && !workers_.count(name))) {
            c.send(make_error(m.id, kErrUnauthorized, "Unauthorized worker: too many or too long worker names"));
            return;
        }
        c.workers.insert(user->get<std::string>());
        workers_[user->get<std::string>()];
        log(c.remote + " authorized worker " + user->get<std::string>() +
            (c.user_agent.empty() ? std::string() : " (" + c.user_agent + ")"));
        c.send(make_result(m.id, true));
    } else if (m.method == "mining.extranonce.subscribe") {
        c.send(make_result(m.id, true));
    } else if (m.method == "mining.suggest_difficulty") {
        const auto* d = param(p, 0, "difficulty");
        const auto v = d ? json_number(*d) : std::nullopt;
        if (!v || *v <= 0) throw ProtocolError("difficulty must be a positive number");
        c.send(make_result(m.id, true));
        // As ckpool does: the miner's suggestion becomes its difficulty and vardiff's floor for it.
        c.floor_difficulty = std::clamp(*v, options_.min_difficulty, options_.max_difficulty);
        c.retargeted = false;
        change_difficulty(c, c.floor_difficulty, now);
    } else if (m.method == "mining.submit") {
        handle_submit(c, m, now);
    } else if (m.kind == MessageKind::Request) {
        c.send(make_error(m.id, kErrOther, "Unknown method " + m.method));
    }
}

void Pool::handle_submit(Connection& c, const Message& m, Clock::time_point now) {
    const auto& p = m.params;
    auto str = [&](std::size_t i, const char* name) -> std::string {
        const auto* v = param(p, i, name);
        if (!v || !v->is_string()) throw ProtocolError(std::string(name) + " must be a string");
        return v->get<std::string>();
    };
    const std::string worker = param(p, 0, "worker") && param(p, 0, "worker")->is_string() ? str(0, "worker") : "";
    if (!c.session) return reject(c, m, worker, kErrNotSubscribed, "Not subscribed");
    if (worker.empty() || !c.workers.count(worker)) return reject(c, m, worker, kErrUnauthorized, "Unauthorized worker");
    if (!p.is_array() || p.size() < 5 || p.size() > 6)
        return reject(c, m, worker, kErrOther, "mining.submit takes 5 or 6 parameters");
    std::string job_id;
    if (p[1].is_string()) job_id = p[1].get<std::string>();
    // The job as sent to this miner (an alias names the difficulty), and the pool job behind it.
    const auto sent = c.session->job_difficulty.find(job_id);
    auto job_it = jobs_.find(base_job_id(job_id));
    if (job_it == jobs_.end() || (sent == c.session->job_difficulty.end() && job_id != job_it->first))
        return reject(c, m, worker, kErrStale, "Job not found");
    const MiningJob& job = job_it->second.job;
    std::vector<std::uint8_t> en2;
    std::uint32_t ntime = 0, nonce = 0, version = job.version;
    try {
        const std::string en2_hex = str(2, "extranonce2");
        if (en2_hex.size() != options_.block.extranonce2_size * 2)
            return reject(c, m, worker, kErrOther, "Invalid extranonce2 size");
        en2 = hex_decode(en2_hex, "extranonce2");
        ntime = hex_to_u32(str(3, "ntime"), "ntime");
        nonce = hex_to_u32(str(4, "nonce"), "nonce");
        if (p.size() == 6) {
            const std::uint32_t bits = hex_to_u32(str(5, "version_bits"), "version_bits");
            if (bits & ~c.session->version_mask)
                return reject(c, m, worker, kErrOther, "Invalid version bits " + u32_to_hex(bits));
            version = rolled_version(job.version, c.session->version_mask, bits);
        }
    } catch (const std::exception& e) {
        return reject(c, m, worker, kErrOther, std::string("Malformed share: ") + e.what());
    }
    if (ntime < job.ntime || ntime > unix_now() + 7200) return reject(c, m, worker, kErrOther, "ntime out of range");
    const std::string key = job_it->first + "/" + hex_encode(en2) + "/" + u32_to_hex(ntime) + "/" + u32_to_hex(nonce) + "/" +
                            u32_to_hex(version);
    if (c.session->submitted.count(key)) return reject(c, m, worker, kErrDuplicate, "Duplicate share");

    const ShareWork w = compute_share(job, c.session->extranonce1, en2, ntime, nonce, version);
    // Judged and credited at the difficulty this job id was sent with, as ckpool does per job, so
    // a difficulty change neither loses shares mined before it nor credits them at the new one.
    const double difficulty = sent != c.session->job_difficulty.end() ? sent->second : c.session->difficulty;
    const double share_difficulty = hash_difficulty(w.hash);
    if (!hash_meets_target(w.hash, difficulty_to_target(difficulty))) {
        char text[96];
        std::snprintf(text, sizeof text, "Low difficulty share (%.6g < %.6g)", share_difficulty, difficulty);
        return reject(c, m, worker, kErrLowDifficulty, text);
    }
    if (c.session->submitted.size() > 1'000'000) c.session->submitted.clear();
    c.session->submitted.insert(key);
    ++accepted_;
    ++c.window_shares;
    c.window_difficulty += difficulty;
    WorkerStats& ws = workers_[worker];
    ++ws.accepted;
    ws.accepted_difficulty += difficulty;
    ws.best_difficulty = std::max(ws.best_difficulty, share_difficulty);
    c.send(make_result(m.id, true));
    const auto block_target = compact_to_target(job.nbits);
    const bool is_block = !block_target.negative && !block_target.overflow && hash_meets_target(w.hash, block_target.target);
    char text[160];
    std::snprintf(text, sizeof text, " %s: share accepted, difficulty %.6g (target %.6g) hash %s", worker.c_str(),
                  share_difficulty, difficulty, to_display_hex(w.hash).c_str());
    log(c.remote + text);
    if (is_block) {
        ++blocks_;
        ++ws.blocks;
        log("BLOCK FOUND at height " + std::to_string(job_it->second.height) + " by " + worker + ": " +
            to_display_hex(w.hash));
        template_ = make_template(options_.block, template_.height + 1, w.hash);
        broadcast_new_job(true, now);
    }
    run_vardiff(c, now);
}

void Pool::tick(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (now - last_job_time_ >= options_.job_interval) broadcast_new_job(false, now);
    for (auto& [id, c] : connections_) run_vardiff(*c, now);
}

std::vector<std::pair<Pool::ConnectionId, std::string>> Pool::expired(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<ConnectionId, std::string>> out;
    auto secs = [](auto d) { return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()); };
    for (const auto& [id, c] : connections_) {
        if (!c->session && now - c->opened >= options_.subscribe_timeout)
            out.emplace_back(id, "not subscribed within " + secs(options_.subscribe_timeout) + " s");
        else if (now - c->last_line >= options_.idle_timeout)
            out.emplace_back(id, "no complete line for " + secs(options_.idle_timeout) + " s");
    }
    return out;
}

void Pool::new_block(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    template_ = make_template(options_.block, template_.height + 1, template_.prev_hash);
    // A made-up next tip: hash the old one so every height has its own prevhash.
    template_.prev_hash = sha256::hash256d(template_.prev_hash);
    broadcast_new_job(true, now);
}

void Pool::set_difficulty_all(double difficulty, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : connections_) change_difficulty(*c, difficulty, now);
}

PoolStats Pool::stats() const {
    std::lock_guard lock(mutex_);
    PoolStats s;
    s.connections = connections_.size();
    s.accepted = accepted_;
    s.rejected = rejected_;
    s.blocks = blocks_;
    s.height = template_.height;
    s.workers = workers_;
    return s;
}

}  // namespace hf::stratum
