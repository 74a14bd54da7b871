#include "stratum/client_session.hpp"

#include <algorithm>

#include "core/hex.hpp"
#include "core/target.hpp"

namespace hf::stratum {
namespace {

std::chrono::milliseconds since(Clock::time_point from, Clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - from);
}

std::string error_text(const Message& m) {
    const RejectReason r = parse_reject(m);
    return r.code != 0 ? std::to_string(r.code) + " " + r.text : r.text;
}

}  // namespace

ClientSession::ClientSession(SessionOptions options, SessionCallbacks callbacks, std::uint64_t connection_epoch)
    : opt_(std::move(options)), cb_(std::move(callbacks)), epoch_(connection_epoch) {}

void ClientSession::log(const std::string& text) {
    if (cb_.log) cb_.log(text);
}

void ClientSession::fail(const std::string& why) {
    if (state_ == State::Failed) return;
    state_ = State::Failed;
    if (cb_.fail) cb_.fail(why);
}

void ClientSession::send_request(Pending what, std::string_view method, nlohmann::json params,
                                 Clock::time_point now) {
    const std::uint64_t id = next_id_++;
    pending_[id] = {what, now};
    cb_.send(make_request(id, method, std::move(params)));
}

void ClientSession::start(Clock::time_point now) {
    if (opt_.version_rolling) {
        state_ = State::Configuring;
        configure_deadline_ = now + opt_.configure_timeout;
        send_request(Pending::Configure, "mining.configure",
                     {nlohmann::json::array({"version-rolling"}),
                      {{"version-rolling.mask", u32_to_hex(opt_.requested_version_mask)},
                       {"version-rolling.min-bit-count", 2}}},
                     now);
        return;
    }
    subscribe(now);
}

void ClientSession::subscribe(Clock::time_point now) {
    state_ = State::Subscribing;
    configure_deadline_.reset();
    nlohmann::json params = nlohmann::json::array({opt_.user_agent});
    if (!opt_.resume_session_id.empty() && !resume_tried_) params.push_back(opt_.resume_session_id);
    send_request(Pending::Subscribe, "mining.subscribe", std::move(params), now);
}

void ClientSession::feed(std::string_view bytes, Clock::time_point now) {
    std::vector<std::string> lines;
    try {
        splitter_.feed(bytes, lines);
    } catch (const ProtocolError& e) {
        for (const auto& l : lines) {
            if (cb_.received) cb_.received(l);
            handle_line(l, now);
        }
        fail(std::string("pool sent a ") + e.what());
        return;
    }
    for (const auto& l : lines) {
        if (state_ == State::Failed) return;
        if (cb_.received) cb_.received(l);
        handle_line(l, now);
    }
}

void ClientSession::handle_line(std::string_view line, Clock::time_point now) {
    Message m;
    try {
        m = parse_message(line);
    } catch (const ProtocolError& e) {
        const std::string shown(line.substr(0, 200));
        log(std::string("ignored a malformed message from the pool (") + e.what() + "): " + shown);
        return;
    }
    try {
        if (m.kind == MessageKind::Response)
            handle_response(m, now);
        else
            handle_method(m, now);
    } catch (const ProtocolError& e) {
        log(std::string("ignored a bad ") + (m.method.empty() ? "response" : m.method) + ": " + e.what());
    } catch (const std::exception& e) {  // json type errors, bad hex, out-of-range values
        log(std::string("ignored a bad ") + (m.method.empty() ? "response" : m.method) + ": " + e.what());
    }
}

void ClientSession::handle_response(const Message& m, Clock::time_point now) {
    last_response_ = now;
    const auto id = id_number(m.id);
    if (!id) {
        if (!m.error.is_null()) log("pool error without a request id: " + error_text(m));
        return;
    }
    if (auto it = submits_.find(*id); it != submits_.end()) {
        PendingSubmit p = std::move(it->second);
        submits_.erase(it);
        on_submit_result(m, std::move(p), now);
        return;
    }
    auto it = pending_.find(*id);
    if (it == pending_.end()) {
        log("pool answered unknown request id " + m.id.dump());
        return;
    }
    const Pending what = it->second.first;
    pending_.erase(it);
    const bool ok = m.error.is_null() && !m.result.is_null() && m.result != false;
    switch (what) {
        case Pending::Configure: on_configure_result(m, now); break;
        case Pending::Subscribe: on_subscribe_result(m, now); break;
        case Pending::ExtranonceSubscribe:
            if (!ok) log("pool does not support mining.extranonce.subscribe (" + error_text(m) + ")");
            break;
        case Pending::SuggestDifficulty:
            if (!ok && !m.error.is_null()) log("pool refused mining.suggest_difficulty (" + error_text(m) + ")");
            break;
        case Pending::Authorize:
            if (ok) {
                if (state_ == State::Authorizing) state_ = State::Ready;
                if (cb_.ready) cb_.ready();
            } else {
                fail("authorization refused for worker '" + opt_.user + "'" +
                     (m.error.is_null() ? std::string() : ": " + error_text(m)));
            }
            break;
    }
}

void ClientSession::on_configure_result(const Message& m, Clock::time_point now) {
    configure_answered_ = true;
    version_mask_ = 0;
    if (m.error.is_null() && m.result.is_object()) {
        const auto vr = m.result.find("version-rolling");
        if (vr != m.result.end() && *vr == true) {
            const auto mask = m.result.find("version-rolling.mask");
            if (mask != m.result.end() && mask->is_string()) {
                try {
                    version_mask_ = hex_to_u32(mask->get<std::string>(), "version-rolling.mask") &
                                    opt_.requested_version_mask;
                } catch (const HexError& e) {
                    log(std::string("pool sent a bad version-rolling mask: ") + e.what());
                }
            } else {
                version_mask_ = opt_.requested_version_mask;  // granted without naming a mask
            }
        }
    } else if (!m.error.is_null()) {
        log("pool does not support mining.configure (" + error_text(m) + "); mining without version rolling");
    }
    if (state_ == State::Configuring) subscribe(now);
}

void ClientSession::on_subscribe_result(const Message& m, Clock::time_point now) {
    if (!m.error.is_null() || !m.result.is_array()) {
        if (!opt_.resume_session_id.empty() && !resume_tried_) {
            resume_tried_ = true;  // the pool may not know the old session: subscribe afresh
            log("pool refused to resume session " + opt_.resume_session_id + "; subscribing afresh");
            subscribe(now);
            return;
        }
        fail("mining.subscribe refused: " + (m.error.is_null() ? m.result.dump() : error_text(m)));
        return;
    }
    const auto& r = m.result;
    if (r.size() < 3 || !r[1].is_string())
        return fail("mining.subscribe answer must be [subscriptions, extranonce1, extranonce2_size], got " + r.dump());
    try {
        extranonce1_ = hex_decode(r[1].get<std::string>(), "extranonce1");
    } catch (const HexError& e) {
        return fail(std::string("mining.subscribe answer: ") + e.what());
    }
    const auto en2 = json_number(r[2]);
    if (!en2 || *en2 < 1 || *en2 > 16 || *en2 != static_cast<int>(*en2))
        return fail("mining.subscribe answer: extranonce2_size must be 1 to 16, got " + r[2].dump());
    extranonce2_size_ = static_cast<std::size_t>(*en2);
    // Subscriptions: [["mining.set_difficulty", id], ["mining.notify", id]] or one flat pair.
    session_id_.clear();
    auto take = [&](const nlohmann::json& pair) {
        if (pair.is_array() && pair.size() >= 2 && pair[0] == "mining.notify" && pair[1].is_string())
            session_id_ = pair[1].get<std::string>();
    };
    if (r[0].is_array()) {
        take(r[0]);
        for (const auto& s : r[0]) take(s);
    } else if (r[0].is_object()) {  // {"mining.notify": id, ...}: seen from some pools
        if (auto it = r[0].find("mining.notify"); it != r[0].end() && it->is_string()) session_id_ = it->get<std::string>();
    }
    state_ = State::Authorizing;
    if (opt_.extranonce_subscribe)
        send_request(Pending::ExtranonceSubscribe, "mining.extranonce.subscribe", nlohmann::json::array(), now);
    if (opt_.suggest_difficulty)
        send_request(Pending::SuggestDifficulty, "mining.suggest_difficulty", {*opt_.suggest_difficulty}, now);
    send_request(Pending::Authorize, "mining.authorize", {opt_.user, opt_.password}, now);
}

void ClientSession::handle_method(const Message& m, Clock::time_point now) {
    const auto& p = m.params;
    if (m.method == "mining.notify") {
        on_notify(m, now);
    } else if (m.method == "mining.set_difficulty") {
        const nlohmann::json* v = param(p, 0, "difficulty");
        const auto d = v ? json_number(*v) : std::nullopt;
        if (!d || *d <= 0) throw ProtocolError("difficulty must be a positive number, got " + p.dump());
        difficulty_ = *d;  // takes effect with the next job
    } else if (m.method == "mining.set_extranonce") {
        const nlohmann::json* e1 = param(p, 0, "extranonce1");
        const nlohmann::json* e2 = param(p, 1, "extranonce2_size");
        if (!e1 || !e1->is_string()) throw ProtocolError("extranonce1 must be a hex string");
        std::vector<std::uint8_t> en1;
        try {
            en1 = hex_decode(e1->get<std::string>(), "extranonce1");
        } catch (const HexError& e) {
            throw ProtocolError(e.what());
        }
        std::size_t en2_size = extranonce2_size_;
        if (e2) {
            const auto n = json_number(*e2);
            if (!n || *n < 1 || *n > 16 || *n != static_cast<int>(*n))
                throw ProtocolError("extranonce2_size must be 1 to 16, got " + e2->dump());
            en2_size = static_cast<std::size_t>(*n);
        }
        extranonce1_ = std::move(en1);
        extranonce2_size_ = en2_size;
        log("pool set extranonce1 " + hex_encode(extranonce1_) + ", extranonce2 size " + std::to_string(en2_size));
    } else if (m.method == "mining.set_version_mask") {
        const nlohmann::json* v = param(p, 0, "mask");
        if (!v || !v->is_string()) throw ProtocolError("mask must be 8 hex digits");
        std::uint32_t mask = 0;
        try {
            mask = hex_to_u32(v->get<std::string>(), "version mask");
        } catch (const HexError& e) {
            throw ProtocolError(e.what());
        }
        version_mask_ = opt_.version_rolling ? (mask & opt_.requested_version_mask) : 0;
        // Re-issue the current job so no further work uses bits outside the new mask.
        if (current_job_) {
            MiningJob again = current_job_->work.job;
            again.clean_jobs = true;
            const double saved = difficulty_;
            difficulty_ = current_job_->work.difficulty;
            emit_job(std::move(again), now);
            difficulty_ = saved;
        }
    } else if (m.method == "client.reconnect") {
        std::string host, port;
        int wait = 0;
        if (const auto* h = param(p, 0, "hostname"); h && h->is_string()) host = h->get<std::string>();
        if (const auto* po = param(p, 1, "port"); po) {
            if (po->is_string()) port = po->get<std::string>();
            else if (po->is_number_integer()) port = std::to_string(po->get<long long>());
        }
        if (const auto* w = param(p, 2, "waittime"); w)
            if (auto n = json_number(*w)) wait = static_cast<int>(std::clamp(*n, 0.0, 3600.0));
        if (cb_.reconnect) cb_.reconnect(host, port, wait);
    } else if (m.method == "client.show_message") {
        const nlohmann::json* t = param(p, 0, "message");
        log("message from pool: " + (t && t->is_string() ? t->get<std::string>() : p.dump()));
    } else if (m.method == "client.get_version") {
        if (m.kind == MessageKind::Request) cb_.send(make_result(m.id, opt_.user_agent));
    } else if (m.method == "mining.ping" || m.method == "client.ping") {
        if (m.kind == MessageKind::Request) cb_.send(make_result(m.id, "pong"));
    } else {
        if (m.kind == MessageKind::Request) cb_.send(make_error(m.id, kErrOther, "Unknown method " + m.method));
        log("ignored unknown method " + m.method);
    }
}

void ClientSession::on_notify(const Message& m, Clock::time_point now) {
    MiningJob job = parse_notify(m.params);  // ProtocolError names the bad field
    if (extranonce1_.empty() && state_ != State::Authorizing && state_ != State::Ready)
        throw ProtocolError("mining.notify before the mining.subscribe answer");
    last_notify_ = now;
    emit_job(std::move(job), now);
}

void ClientSession::emit_job(MiningJob job, Clock::time_point now) {
    (void)now;
    if (job.clean_jobs) live_jobs_.clear();
    live_jobs_.erase(std::remove(live_jobs_.begin(), live_jobs_.end(), job.job_id), live_jobs_.end());
    live_jobs_.push_back(job.job_id);
    while (live_jobs_.size() > opt_.max_jobs) live_jobs_.pop_front();
    SessionJob sj;
    sj.connection_epoch = epoch_;
    sj.work.job = std::move(job);
    sj.work.extranonce1 = extranonce1_;
    sj.work.extranonce2_size = extranonce2_size_;
    sj.work.difficulty = difficulty_;
    sj.work.version_mask = version_mask_;
    current_job_ = sj;
    if (cb_.job) cb_.job(sj);
}

bool ClientSession::job_usable(const SessionJob& job, std::string& why, std::string& cause) const {
    if (job.connection_epoch == epoch_) {
        if (std::find(live_jobs_.begin(), live_jobs_.end(), job.work.job.job_id) == live_jobs_.end()) {
            why = "job " + job.work.job.job_id + " was replaced by a clean job";
            cause = "clean job";
            return false;
        }
        // mining.set_extranonce since the job came: the pool now checks every share against the new
        // extranonce1, so this share (valid under the old one) would only be rejected.
        if (job.work.extranonce1 != extranonce1_ || job.work.extranonce2_size != extranonce2_size_) {
            why = "job " + job.work.job.job_id + " was mined under extranonce1 " + hex_encode(job.work.extranonce1) +
                  ", which the pool has since replaced with " + hex_encode(extranonce1_);
            cause = "extranonce1 replaced";
            return false;
        }
        return true;
    }
    // A job from an earlier connection: still good only if this connection resumed the same
    // extranonce1 and the chain tip has not moved.
    if (job.work.extranonce1 != extranonce1_ || job.work.extranonce2_size != extranonce2_size_) {
        why = "job " + job.work.job.job_id + " belongs to an earlier connection with another extranonce1";
        cause = "earlier connection";
        return false;
    }
    if (!current_job_ || current_job_->work.job.prev_hash != job.work.job.prev_hash) {
        why = "job " + job.work.job.job_id + " is from an earlier connection and the block has changed";
        cause = "block changed";
        return false;
    }
    return true;
}

bool ClientSession::reverify(const FoundShare& share, const SessionJob& job, std::string& why) const {
    const EngineJob& w = job.work;
    if (share.extranonce2.size() != w.extranonce2_size) {
        why = "extranonce2 is " + std::to_string(share.extranonce2.size()) + " bytes, the pool asked for " +
              std::to_string(w.extranonce2_size);
        return false;
    }
    if ((share.version & ~w.version_mask) != (w.job.version & ~w.version_mask) ||
        share.version_bits != (share.version & w.version_mask)) {
        why = "version " + u32_to_hex(share.version) + " rolls bits outside the mask " + u32_to_hex(w.version_mask);
        return false;
    }
    const ShareWork sw = compute_share(w.job, w.extranonce1, share.extranonce2, share.ntime, share.nonce, share.version);
    if (sw.hash != share.hash) {
        why = "host re-hash differs from the miner's hash";
        return false;
    }
    if (!hash_meets_target(sw.hash, difficulty_to_target(w.difficulty))) {
        why = "hash does not meet the job's difficulty " + std::to_string(w.difficulty);
        return false;
    }
    return true;
}

bool ClientSession::submit(const FoundShare& share, const SessionJob& job, Clock::time_point now) {
    if (submits_.size() >= opt_.max_pending_submits) return false;  // back-pressure: the caller holds it
    ShareResult local;
    local.share = share;
    local.difficulty = job.work.difficulty;
    local.answered = false;
    std::string why;
    if (!reverify(share, job, why)) {
        local.reason = {RejectKind::Other, 0, "not submitted: hardware error: " + why};
        if (cb_.share_result) cb_.share_result(local);
        return true;
    }
    if (!job_usable(job, why, local.stale_cause)) {
        local.reason = {RejectKind::Stale, 0, "not submitted: " + why};
        if (cb_.share_result) cb_.share_result(local);
        return true;
    }
    nlohmann::json params = {opt_.user, job.work.job.job_id, hex_encode(share.extranonce2), u32_to_hex(share.ntime),
                             u32_to_hex(share.nonce)};
    if (job.work.version_mask != 0) params.push_back(u32_to_hex(share.version_bits));
    const std::uint64_t id = next_id_++;
    submits_[id] = {share, job, now};  // answered through submits_, not pending_
    cb_.send(make_request(id, "mining.submit", std::move(params)));
    return true;
}

void ClientSession::on_submit_result(const Message& m, PendingSubmit p, Clock::time_point now) {
    ShareResult r;
    r.share = std::move(p.share);
    r.submitted = true;
    r.difficulty = p.job.work.difficulty;
    r.latency = since(p.sent, now);
    r.accepted = m.error.is_null() && m.result == true;
    if (!r.accepted) r.reason = parse_reject(m);
    if (cb_.share_result) cb_.share_result(r);
}

void ClientSession::tick(Clock::time_point now) {
    if (state_ == State::Failed) return;
    if (state_ == State::Configuring && configure_deadline_ && now >= *configure_deadline_) {
        log("pool did not answer mining.configure within " + std::to_string(opt_.configure_timeout.count()) +
            " ms; mining without version rolling");
        for (auto it = pending_.begin(); it != pending_.end();)
            it = it->second.first == Pending::Configure ? pending_.erase(it) : std::next(it);
        version_mask_ = 0;
        subscribe(now);
        return;
    }
    for (const auto& [id, entry] : pending_) {
        const auto what = entry.first;
        if ((what == Pending::Subscribe || what == Pending::Authorize) && now - entry.second >= opt_.response_timeout) {
            fail(std::string(what == Pending::Subscribe ? "mining.subscribe" : "mining.authorize") +
                 " not answered within " + std::to_string(opt_.response_timeout.count() / 1000) + " s");
            return;
        }
    }
    // A submit unanswered past its deadline is counted unanswered (it may have reached the pool). If
    // the pool has answered nothing at all since that submit was sent, while (as a rule) it still
    // sends jobs, it has stopped reading: a half-open connection that only this deadline can tell,
    // so the connection is dropped. Younger submits are then resubmitted on the next connection
    // (take_unanswered), so each share waits out at most one deadline. One lost answer among
    // others does not cost the connection.
    bool pool_deaf = false;
    for (auto it = submits_.begin(); it != submits_.end();) {
        if (now - it->second.sent < opt_.submit_timeout) {
            ++it;
            continue;
        }
        if (!last_response_ || *last_response_ <= it->second.sent) pool_deaf = true;
        ShareResult r;
        r.share = it->second.share;
        r.submitted = true;
        r.answered = false;
        r.difficulty = it->second.job.work.difficulty;
        r.reason = {RejectKind::Other, 0, "no answer within " + std::to_string(opt_.submit_timeout.count() / 1000) + " s"};
        it = submits_.erase(it);
        if (cb_.share_result) cb_.share_result(r);
    }
    if (pool_deaf)
        fail("mining.submit not answered within " + std::to_string(opt_.submit_timeout.count() / 1000) +
             " s and nothing answered since: the pool is not reading (half-open connection?)");
}

std::vector<std::pair<FoundShare, SessionJob>> ClientSession::take_unanswered() {
    std::vector<std::pair<FoundShare, SessionJob>> out;
    for (auto& [id, p] : submits_) out.emplace_back(std::move(p.share), std::move(p.job));
    submits_.clear();
    state_ = State::Failed;
    return out;
}

}  // namespace hf::stratum
