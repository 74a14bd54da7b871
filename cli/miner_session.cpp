#include "cli/miner_session.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/console_format.hpp"
#include "cli/miner_console.hpp"
#include "core/backends.hpp"
#include "cli/version.hpp"

namespace hf::cli {

// The runner hands jobs to the search engine (or the device) through this.
class MinerSession::Sink : public stratum::WorkSink {
public:
    explicit Sink(MinerSession& s) : session_(s) {}
    std::uint64_t set_job(const EngineJob& job) override {
        return session_.device_ ? session_.device_->set_job(job) : session_.engine_->set_job(job);
    }
    void pause() override {
        if (session_.device_) session_.device_->pause();
        else session_.engine_->pause();
    }

private:
    MinerSession& session_;
};

namespace {

std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

stratum::RunnerEvents console_events(const MineSettings& s, std::function<double()> rate_5s) {
    stratum::RunnerEvents ev;
    if (!s.quiet) ev.info = [](const std::string& t) { say(t); };
    if (s.debug) ev.debug = [](const std::string& t) { say("[debug] " + t); };
    if (s.dump) ev.dump = [](const std::string& t) { say(t); };
    ev.share = [rate_5s](const stratum::ShareResult& r, std::size_t) { say(share_line(r, rate_5s())); };
    return ev;
}

}  // namespace

MinerSession::MinerSession(MineSettings settings) : settings_(std::move(settings)) {
    auto on_share = [this](const FoundShare& s) {
        if (auto* r = runner_ptr_.load()) r->found_share(s);
    };
    if (settings_.device) {
        // Open the device first: a chain that does not answer ends the run before a pool starts.
        // No suggested difficulty: the chips' hashrate is only known from their results.
        device_ = std::make_unique<hw::host::DeviceMiner>(*settings_.device, on_share, [](const std::string& t) { say(t); });
        if (settings_.pools.empty()) start_embedded_pool();
        say("hashing with " + device_->name());
    } else {
        EngineConfig ec = engine_config(settings_);
        if (settings_.pools.empty()) start_embedded_pool();
        ec.on_share = on_share;
        ec.on_backend_error = [](const std::string& t) { say("backend error, " + t); };
        engine_ = std::make_unique<SearchEngine>(ec);
        say("hashing with " + std::string(engine_->backend_name()) + " on " + std::to_string(engine_->threads()) +
            " thread(s)");
        if (settings_.suggest_auto) suggest_from_measured_hashrate(ec.backend);
    }
    sink_ = std::make_unique<Sink>(*this);
    stratum::RunnerEvents events = console_events(settings_, [this] { return hashrate().rate_5s; });
    events.share = [this, console = events.share](const stratum::ShareResult& r, std::size_t pool) {
        console(r, pool);
        if (status_page_) status_page_->note_share(r);
    };
    runner_ = std::make_unique<stratum::ClientRunner>(loop_, runner_options(settings_), *sink_, std::move(events));
    runner_ptr_ = runner_.get();
    started_ = std::chrono::steady_clock::now();
    loop_.on_signals([this](int sig) { shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM"); });
}

MinerSession::~MinerSession() {
    finish();
    runner_.reset();
    api_listener_.reset();
    status_page_.reset();
    embedded_server_.reset();
}

// No pool given: the built-in pool, in-process on loopback.
void MinerSession::start_embedded_pool() {
    embedded_ = std::make_unique<stratum::Pool>(embedded_pool_options(settings_));
    embedded_->set_log([debug = settings_.debug](const std::string& t) {
        if (debug || t.rfind("BLOCK FOUND", 0) == 0) say("[pool] " + t);
    });
    stratum::PoolServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    embedded_server_ = std::make_unique<stratum::PoolServer>(loop_, *embedded_, so);
    const std::string url = "stratum+tcp://127.0.0.1:" + std::to_string(embedded_server_->port());
    settings_.pools.push_back({url, settings_.embedded_user, "x"});
    say("no -o given: mining against the built-in pool at " + url +
        " (in-process, regtest-style block template, start difficulty " + std::to_string(settings_.pool_difficulty) +
        ")");
}

// --suggest-diff auto: a pool that starts every connection high (public-pool: 16384) would leave a
// CPU miner without a share for days; suggesting from the measured rate gets shares at once.
void MinerSession::suggest_from_measured_hashrate(const BackendInfo& backend) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned threads = std::min(engine_->threads(), cores);
    // All worker threads at once and wall-clock, not CPU time: on a shared machine the rate the
    // miner will get is what counts.
    const double rate = measure_backend(backend, std::chrono::milliseconds(300), threads).rate();
    if (!(rate > 0)) return;
    const double seconds = embedded_ ? 60 / settings_.pool_spm : kAutoSecondsPerShare;
    const double floor = embedded_ ? settings_.pool_difficulty : 0;
    settings_.suggest_difficulty = auto_suggested_difficulty(rate, seconds, floor);
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "suggesting difficulty %.3g (auto: %s measured on %u threads, a share every ~%.3g s; "
                  "the pool's mining.set_difficulty decides; --suggest-diff D|off overrides)",
                  *settings_.suggest_difficulty, hashrate_text(rate).c_str(), threads, seconds);
    say(buf);
}

std::optional<std::string> MinerSession::start_http() {
    if (!settings_.http_listen) return std::nullopt;
    const auto& [host, port] = *settings_.http_listen;
    try {
        status_page_ = std::make_unique<StatusHttpServer>(loop_, StatusHttpOptions{.host = host, .port = port},
                                                          [this] { return state(); });
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
    say("status page on http://" + (host.find(':') == std::string::npos ? host : "[" + host + "]") + ":" +
        std::to_string(status_page_->port()) + "/");
    return std::nullopt;
}

std::optional<std::string> MinerSession::start_api() {
    if (!settings_.api_listen) return std::nullopt;
    ApiActions actions;
    actions.quit = [this] { loop_.post([this] { shutdown("API quit"); }); };
    actions.switch_pool = [this](std::size_t i) {
        if (i >= settings_.pools.size()) return false;
        runner_->switch_pool(i);
        return true;
    };
    const auto& [host, port] = *settings_.api_listen;
    try {
        api_listener_ = std::make_unique<net::RequestListener>(
            loop_, host, port, [this, actions](const std::string& req, const std::string& peer) {
                if (settings_.debug) say("[api] " + peer + ": " + req);
                return api_reply(req, peer, state(), settings_.api_allow, actions);
            });
    } catch (const std::exception& e) {
        return std::string("--api-listen: ") + e.what();
    }
    say("cgminer API listening on " + host + ":" + std::to_string(api_listener_->port()));
    return std::nullopt;
}

void MinerSession::run() {
    schedule_status();
    if (settings_.duration)
        duration_timer_.after(millis(*settings_.duration),
                              [this] { shutdown("--duration " + settings_.duration_text + " s reached"); });
    runner_->start();
    loop_.run();
}

void MinerSession::schedule_status() {
    status_timer_.after(millis(settings_.status_interval), [this] {
        if (!settings_.quiet) say(status_line(state()));
        schedule_status();
    });
}

void MinerSession::shutdown(const std::string& why) {
    if (stopping_) return;
    stopping_ = true;
    if (!settings_.quiet) say(why + ": stopping");
    runner_->stop();
    loop_.stop();
}

HashrateSnapshot MinerSession::hashrate() const {
    if (device_) return device_->hashrate();
    return engine_ ? engine_->hashrate() : HashrateSnapshot{};
}

MinerState MinerSession::state() const {
    MinerState s;
    s.pools = runner_->snapshot();
    s.hashrate = hashrate();
    if (device_) {
        s.backend = device_->name();
        s.threads = 1;
        s.device = device_->stats();
    } else if (engine_) {
        s.backend = std::string(engine_->backend_name());
        s.threads = engine_->threads();
    }
    s.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    s.now_unix =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    s.version = std::string("hashforge ") + version_number();
    return s;
}

MinerState MinerSession::finish() {
    if (!engine_ && !device_) return {};
    const MinerState s = state();
    if (engine_) engine_->pause();
    if (device_) device_->pause();
    runner_ptr_ = nullptr;
    engine_.reset();
    device_.reset();
    return s;
}

std::optional<stratum::PoolStats> MinerSession::embedded_pool_stats() const {
    if (!embedded_) return std::nullopt;
    return embedded_->stats();
}

}  // namespace hf::cli
