#include "stratum/client_runner.hpp"

#include <algorithm>
#include <cmath>

#include "core/hex.hpp"

namespace hf::stratum {
namespace {

constexpr std::chrono::milliseconds kTick{1000};
constexpr std::size_t kMaxJobsRemembered = 256;

}  // namespace

ClientRunner::ClientRunner(net::EventLoop& loop, RunnerOptions options, WorkSink& sink, RunnerEvents events)
    : loop_(loop), opt_(std::move(options)), sink_(sink), ev_(std::move(events)), tick_timer_(loop),
      retry_timer_(loop), probe_timer_(loop) {
    if (opt_.pools.empty()) throw std::invalid_argument("no pool given");
    for (const auto& p : opt_.pools) {
        urls_.push_back(parse_pool_url(p.url));
        PoolStatus s;
        s.url = urls_.back().text();
        s.user = p.user;
        status_.push_back(s);
    }
}

ClientRunner::~ClientRunner() {
    alive_.reset();
    if (conn_) conn_->close("miner stopped");
    if (probe_conn_) probe_conn_->close("miner stopped");
}

void ClientRunner::info(const std::string& text) {
    if (ev_.info) ev_.info(text);
}

void ClientRunner::start() {
    stopped_ = false;
    last_probe_ = Clock::now();
    connect(0, std::nullopt);
    std::weak_ptr<int> w = alive_;
    tick_timer_.after(kTick, [this, w] {
        if (!w.expired()) tick();
    });
}

void ClientRunner::stop() {
    stopped_ = true;
    tick_timer_.cancel();
    retry_timer_.cancel();
    probe_timer_.cancel();
    ++epoch_;  // ignore whatever the old connection still reports
    record_unanswered_at_stop();
    if (conn_) conn_->close("miner stopped");
    if (probe_conn_) probe_conn_->close("miner stopped");
    conn_.reset();
    probe_conn_.reset();
    session_.reset();
    sink_.pause();
    work_active_ = false;
    publish_queue_counts();
    std::lock_guard lock(stats_mutex_);
    for (auto& s : status_) s.alive = false;
}

// Submits still waiting for an answer when the miner stops: sent, never answered.
void ClientRunner::record_unanswered_at_stop() {
    if (!session_) return;
    for (auto& [share, job] : session_->take_unanswered()) {
        ShareResult r;
        r.share = std::move(share);
        r.submitted = true;
        r.answered = false;
        r.difficulty = job.work.difficulty;
        r.reason = {RejectKind::Other, 0, "no answer before the miner stopped"};
        record(r, index_);
    }
}

std::chrono::milliseconds ClientRunner::backoff() {
    // initial * 2^failures, capped, then scaled by a random factor in [0.5, 1] so that many miners
    // behind one pool do not come back in lock-step.
    const double base = static_cast<double>(opt_.backoff_initial.count()) *
                        std::pow(2.0, std::min(consecutive_failures_, 20u));
    const double capped = std::min(base, static_cast<double>(opt_.backoff_max.count()));
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::chrono::milliseconds(static_cast<long long>(capped * jitter(rng_)));
}

void ClientRunner::schedule_next(std::chrono::milliseconds delay, std::size_t index, std::optional<PoolUrl> url) {
    std::weak_ptr<int> w = alive_;
    retry_timer_.after(delay, [this, w, index, url] {
        if (!w.expired() && !stopped_) connect(index, url);
    });
}

void ClientRunner::connect(std::size_t index, std::optional<PoolUrl> override_url) {
    {
        std::lock_guard lock(stats_mutex_);  // snapshot() reads index_ from other threads
        index_ = index;
    }
    const PoolUrl url = override_url ? *override_url : urls_[index];
    current_url_ = url;
    const std::uint64_t epoch = ++epoch_;
    net::TlsClientConfig tls = opt_.tls;
    tls.enabled = url.tls;
    if (tls.enabled && !tls.verify) info("WARNING: TLS certificate verification is OFF for " + url.text());
    info("connecting to " + url.text());
    std::weak_ptr<int> w = alive_;
    net::LineConnection::connect(loop_, url.host, url.port, tls, opt_.connect_timeout,
                                 [this, w, epoch, index](std::shared_ptr<net::LineConnection> c, std::string error) {
                                     if (w.expired()) {
                                         if (c) c->close("miner stopped");
                                         return;
                                     }
                                     if (!c) return on_lost(epoch, error);
                                     on_connected(epoch, std::move(c), index);
                                 });
}

void ClientRunner::on_connected(std::uint64_t epoch, std::shared_ptr<net::LineConnection> conn, std::size_t index) {
    if (epoch != epoch_ || stopped_) {
        conn->close("superseded");
        return;
    }
    conn_ = conn;
    connected_at_ = Clock::now();
    session_was_ready_ = false;
    {
        std::lock_guard lock(stats_mutex_);
        ++status_[index].connects;
    }
    info("connected to " + current_url_->text() + " (" + conn->remote() + (conn->is_tls() ? ", TLS" : "") + ")");

    SessionOptions so = opt_.session;
    so.user = opt_.pools[index].user;
    so.password = opt_.pools[index].password;
    if (auto it = resume_ids_.find(current_url_->text()); it != resume_ids_.end()) so.resume_session_id = it->second;
    std::weak_ptr<int> w = alive_;
    SessionCallbacks cb;
    cb.send = [this, conn](const std::string& line) {
        if (ev_.dump) ev_.dump("> " + line.substr(0, line.size() - (line.ends_with('\n') ? 1 : 0)));
        conn->send(line);
    };
    cb.received = [this](std::string_view line) {
        if (ev_.dump) ev_.dump("< " + std::string(line));
    };
    cb.job = [this, index](const SessionJob& job) {
        const std::uint64_t gen = sink_.set_job(job.work);
        jobs_[gen] = job;
        while (jobs_.size() > kMaxJobsRemembered) jobs_.erase(jobs_.begin());
        last_work_ = Clock::now();
        work_active_ = true;
        {
            std::lock_guard lock(stats_mutex_);
            status_[index].difficulty = job.work.difficulty;
            status_[index].version_mask = job.work.version_mask;
        }
        if (ev_.debug)
            ev_.debug("new job " + job.work.job.job_id + (job.work.job.clean_jobs ? " (clean)" : "") + ", difficulty " +
                      std::to_string(job.work.difficulty) + ", version mask " + u32_to_hex(job.work.version_mask));
        flush_held();
    };
    cb.share_result = [this, index](const ShareResult& r) { record(r, index); };
    cb.log = [this](const std::string& text) { info(text); };
    cb.reconnect = [this, index, w](const std::string& host, const std::string& port, int wait) {
        PoolUrl target = *current_url_;
        if (!host.empty() && host != current_url_->host) {
            if (!opt_.allow_redirect) {
                info("pool asked to reconnect to " + host + ":" + port +
                     ", another host: ignored (allow with --allow-redirect)");
                return;
            }
            target.host = host;
        }
        if (!port.empty()) target.port = port;
        info("pool asked to reconnect to " + target.text() + " in " + std::to_string(wait) + " s");
        const std::uint64_t old = epoch_;
        // Not from inside the session that is calling us: the reconnect destroys it.
        loop_.post([this, w, old, index, target, wait] {
            if (w.expired() || old != epoch_) return;
            switch_to_.reset();
            on_lost(old, "client.reconnect");
            schedule_next(std::chrono::seconds(wait), index, target);
        });
    };
    cb.ready = [this, index] {
        session_was_ready_ = true;
        consecutive_failures_ = 0;
        if (!session_->session_id().empty()) resume_ids_[current_url_->text()] = session_->session_id();
        {
            std::lock_guard lock(stats_mutex_);
            status_[index].alive = true;
            status_[index].last_error.clear();
        }
        info("authorized as " + opt_.pools[index].user + " on " + current_url_->text() +
             (session_->version_mask() ? ", version rolling mask " + u32_to_hex(session_->version_mask())
                                       : std::string(", no version rolling")));
        flush_held();
    };
    cb.fail = [this, w, epoch](const std::string& why) {
        // Called from inside the session: close later, not while it is on the stack.
        loop_.post([this, w, epoch, why] {
            if (!w.expired()) on_lost(epoch, why);
        });
    };
    session_ = std::make_unique<ClientSession>(so, std::move(cb), epoch);
    conn->start({[this, w, epoch](std::string_view bytes) {
                     if (w.expired() || epoch != epoch_ || !session_) return;
                     try {
                         session_->feed(bytes, Clock::now());
                     } catch (const std::exception& e) {  // a bug costs this connection, never the miner
                         loop_.post([this, w, epoch, why = std::string("pool input failed: ") + e.what()] {
                             if (!w.expired()) on_lost(epoch, why);
                         });
                     }
                 },
                 [this, w, epoch](const std::string& why) {
                     if (!w.expired()) on_lost(epoch, why);
                 }},
                opt_.watchdog + std::chrono::seconds(60));
    session_->start(Clock::now());
}

void ClientRunner::on_lost(std::uint64_t epoch, const std::string& why) {
    if (epoch != epoch_ || stopped_) return;
    ++epoch_;  // later reports from this connection are ignored
    const std::size_t index = index_;
    if (session_) {
        for (auto& [share, job] : session_->take_unanswered()) held_.push_back({std::move(share), std::move(job)});
        held_while_disconnected_ = held_while_disconnected_ || !held_.empty();
        session_.reset();
        publish_queue_counts();
    }
    if (conn_) conn_->close(why);
    conn_.reset();
    {
        std::lock_guard lock(stats_mutex_);
        status_[index].alive = false;
        status_[index].last_error = why;
        ++status_[index].failures;
    }
    if (why == "client.reconnect") return;  // the caller schedules the reconnect
    info("pool " + urls_[index].text() + ": " + why);
    if (switch_to_) {
        const std::size_t target = *switch_to_;
        switch_to_.reset();
        schedule_next(std::chrono::milliseconds(0), target);
        return;
    }
    if (!session_was_ready_) ++consecutive_failures_;
    session_was_ready_ = false;
    const std::size_t next = (index + 1) % urls_.size();
    const auto delay = next == index || consecutive_failures_ >= urls_.size() ? backoff() : std::chrono::milliseconds(0);
    if (next != index) info("failing over to " + urls_[next].text());
    info("reconnecting in " + std::to_string(delay.count()) + " ms");
    schedule_next(delay, next);
}

void ClientRunner::tick() {
    if (stopped_) return;
    const auto now = Clock::now();
    if (session_) session_->tick(now);
    if (session_ && conn_) {
        const auto since = now - session_->last_notify().value_or(connected_at_);
        if (since >= opt_.watchdog) {
            const std::string why = "no mining.notify for " +
                                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) +
                                    " s: treating the connection as dead";
            on_lost(epoch_, why);
        }
    }
    if (work_active_ && last_work_ && now - *last_work_ >= opt_.watchdog) {
        info("work is older than " + std::to_string(opt_.watchdog.count() / 1000) + " s: pausing the miner");
        sink_.pause();
        work_active_ = false;
    }
    if (index_ != 0 && urls_.size() > 1 && now - last_probe_ >= opt_.primary_probe) {
        last_probe_ = now;
        probe_primary();
    }
    std::weak_ptr<int> w = alive_;
    tick_timer_.after(kTick, [this, w] {
        if (!w.expired()) tick();
    });
}

void ClientRunner::probe_primary() {
    if (probe_conn_) return;
    net::TlsClientConfig tls = opt_.tls;
    tls.enabled = urls_[0].tls;
    std::weak_ptr<int> w = alive_;
    if (ev_.debug) ev_.debug("probing the primary pool " + urls_[0].text());
    net::LineConnection::connect(loop_, urls_[0].host, urls_[0].port, tls, opt_.connect_timeout,
        [this, w](std::shared_ptr<net::LineConnection> c, std::string error) {
            if (w.expired() || stopped_ || !c) {
                if (c) c->close("probe not needed");
                if (!w.expired() && ev_.debug && !c) ev_.debug("primary pool still down: " + error);
                return;
            }
            probe_conn_ = c;
            auto answered = std::make_shared<bool>(false);
            auto splitter = std::make_shared<LineSplitter>();
            c->start({[this, w, c, answered, splitter](std::string_view bytes) {
                          if (w.expired() || *answered) return;
                          std::vector<std::string> lines;
                          try {
                              splitter->feed(bytes, lines);
                          } catch (const ProtocolError&) {
                              c->close("probe: bad line");
                              return;
                          }
                          for (const auto& l : lines) {
                              try {
                                  const Message m = parse_message(l);
                                  if (m.kind != MessageKind::Response || !m.error.is_null() || !m.result.is_array()) continue;
                              } catch (const ProtocolError&) {
                                  continue;
                              }
                              *answered = true;
                              c->close("probe done");
                              if (stopped_ || index_ == 0) return;
                              info("primary pool " + urls_[0].text() + " is back: switching to it");
                              switch_to_ = 0;
                              if (conn_)
                                  on_lost(epoch_, "returning to the primary pool");
                              else {
                                  switch_to_.reset();
                                  retry_timer_.cancel();
                                  connect(0, std::nullopt);
                              }
                              return;
                          }
                      },
                      [this, w](const std::string&) {
                          if (!w.expired()) probe_conn_.reset();
                      }},
                     std::chrono::seconds(10));
            c->send(make_request(1, "mining.subscribe", {opt_.session.user_agent}));
        });
}

void ClientRunner::switch_pool(std::size_t index) {
    if (index >= urls_.size()) return;
    if (conn_ && index == index_) return;
    info("switching to pool " + std::to_string(index) + " " + urls_[index].text() + " on request");
    if (conn_) {
        switch_to_ = index;
        on_lost(epoch_, "switching pools on request");
    } else {
        retry_timer_.cancel();
        connect(index, std::nullopt);
    }
}

void ClientRunner::found_share(FoundShare share) {
    {
        std::lock_guard lock(stats_mutex_);  // counted at once: a share the loop never takes is still held
        ++found_;
        ++queued_;
    }
    std::weak_ptr<int> w = alive_;
    loop_.post([this, w, share = std::move(share)] {
        if (w.expired()) return;
        {
            std::lock_guard lock(stats_mutex_);
            --queued_;
        }
        auto it = jobs_.find(share.job_generation);
        if (it == jobs_.end()) {
            ShareResult r;
            r.share = share;
            r.answered = false;
            r.reason = {RejectKind::Stale, 0, "not submitted: job " + share.job_id + " is no longer known"};
            r.stale_cause = "job forgotten";
            record(r, index_);
            return;
        }
        submit_or_hold(share, it->second);
    });
}

// Submitted now when a session is ready and has room (at most max_pending_submits unanswered);
// held otherwise, and submitted as the pool answers or after reconnecting.
void ClientRunner::submit_or_hold(const FoundShare& share, const SessionJob& job) {
    if (held_.empty() && session_ && session_->ready() && session_->current_job() &&
        session_->submit(share, job, Clock::now())) {
        publish_queue_counts();
        return;
    }
    held_.push_back({share, job});
    const bool connected = session_ && session_->ready();
    if (!connected) held_while_disconnected_ = true;
    if (ev_.debug)
        ev_.debug("holding share for job " + share.job_id +
                  (connected ? " until the pool answers earlier submits" : " until the pool is back"));
    while (held_.size() > opt_.max_held_shares) {
        ShareResult r;
        r.share = held_.front().share;
        r.answered = false;
        r.difficulty = held_.front().job.work.difficulty;
        r.reason = {RejectKind::Stale, 0, "not submitted: too many shares held (pool disconnected or not answering)"};
        r.stale_cause = "too many held";
        held_.pop_front();
        record(r, index_);
    }
    publish_queue_counts();
}

void ClientRunner::publish_queue_counts() {
    const std::size_t awaiting = session_ ? session_->awaiting_answer() : 0;
    std::lock_guard lock(stats_mutex_);
    held_count_ = held_.size();
    awaiting_count_ = awaiting;
}

// Submits held shares, oldest first, while the session has room; the rest wait for the next answer.
void ClientRunner::flush_held() {
    if (flushing_ || !session_ || !session_->ready() || !session_->current_job() || held_.empty()) return;
    flushing_ = true;  // submit() reports refusals through record(), which calls back here
    const std::size_t before = held_.size();
    while (!held_.empty() && session_ && session_->submit(held_.front().share, held_.front().job, Clock::now()))
        held_.pop_front();
    flushing_ = false;
    const std::size_t sent = before - held_.size();
    if (sent > 0 && held_while_disconnected_)
        info("submitting " + std::to_string(sent) + " share(s) held while disconnected" +
             (held_.empty() ? std::string() : ", " + std::to_string(held_.size()) + " still held"));
    if (sent > 0) held_while_disconnected_ = false;
    publish_queue_counts();
}

void ClientRunner::record(const ShareResult& r, std::size_t pool) {
    {
        std::lock_guard lock(stats_mutex_);
        ShareCounters& c = status_[pool].shares;
        if (r.accepted) {
            ++c.accepted;
            c.accepted_difficulty += r.difficulty;
            c.best_share = std::max(c.best_share, r.share.share_difficulty);
            status_[pool].last_share = std::chrono::system_clock::now();
        } else if (!r.submitted) {
            if (r.reason.kind == RejectKind::Stale) {
                ++c.stale_local;
                ++c.stale_causes[r.stale_cause.empty() ? std::string("other") : r.stale_cause];
            } else {
                ++c.invalid_local;
            }
        } else if (!r.answered) {
            ++c.unanswered;
        } else {
            ++c.rejected[static_cast<std::size_t>(r.reason.kind)];
            c.rejected_difficulty += r.difficulty;
        }
    }
    if (ev_.share) ev_.share(r, pool);
    if (r.submitted) flush_held();  // an answer (or a timeout) made room for a held share
    publish_queue_counts();
}

RunnerSnapshot ClientRunner::snapshot() const {
    std::lock_guard lock(stats_mutex_);
    RunnerSnapshot s;
    s.pools = status_;
    s.active = index_;
    s.connected = status_[index_].alive;
    s.held = held_count_ + queued_;
    s.awaiting_answer = awaiting_count_;
    s.found = found_;
    for (const auto& p : status_) {
        const auto& c = p.shares;
        s.total.accepted += c.accepted;
        for (std::size_t k = 0; k < 4; ++k) s.total.rejected[k] += c.rejected[k];
        s.total.stale_local += c.stale_local;
        for (const auto& [cause, n] : c.stale_causes) s.total.stale_causes[cause] += n;
        s.total.invalid_local += c.invalid_local;
        s.total.unanswered += c.unanswered;
        s.total.accepted_difficulty += c.accepted_difficulty;
        s.total.rejected_difficulty += c.rejected_difficulty;
        s.total.best_share = std::max(s.total.best_share, c.best_share);
    }
    return s;
}

}  // namespace hf::stratum
