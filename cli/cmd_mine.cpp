// hashforge mine: the miner. Connects to Stratum pools (or, with no -o, to the built-in pool started
// in-process on loopback), hashes with the search engine, submits re-verified shares, and reports
// on the console and, optionally, a cgminer-compatible API.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/args.hpp"
#include "cli/backend_registry.hpp"
#include "cli/commands.hpp"
#include "cli/console_format.hpp"
#include "cli/miner_api.hpp"
#include "cli/status_http.hpp"
#include "cli/version.hpp"
#include "core/hex.hpp"
#include "core/search_engine.hpp"
#include "stratum/client_runner.hpp"
#include "stratum/pool_server.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge mine [-o URL -u USER -p PASS]... [OPTIONS]\n\n"
    "Mines against Stratum V1 pools. With no -o, starts the built-in pool in-process on 127.0.0.1 and\n"
    "mines against it (regtest-style blocks, low difficulty): shares are accepted within seconds.\n\n"
    "Pools (repeat -o/-u/-p for failover, in priority order; the primary is re-tried every 60 s):\n"
    "  -o, --url URL          stratum+tcp://host:port, or TLS: stratum+ssl:// stratum+tls:// stratum+tcps://\n"
    "  -u, --user USER        worker name (usually address.worker); pairs with the -o of the same rank\n"
    "  -p, --pass PASS        password (default x)\n"
    "  -c, --config FILE      JSON: {\"pools\":[{\"url\":..,\"user\":..,\"pass\":..}], any long option: value}\n"
    "  --cert FILE            trust this CA or pin this certificate for TLS pools (PEM)\n"
    "  --no-verify            do not verify TLS certificates (warns; for testing only)\n"
    "  --allow-redirect       follow client.reconnect to another host (default: same host only)\n"
    "  --suggest-diff D       send mining.suggest_difficulty D\n"
    "  --no-version-rolling   do not ask for BIP 310 version rolling (mining.configure)\n"
    "  --watchdog S           no mining.notify for S seconds means the pool is dead (default 120)\n\n"
    "Hashing:\n"
    "  -t, --threads N        worker threads (default: one per core)\n"
    "  --backend NAME         auto (default: fastest measured), scalar, shani, avx2, avx512, asic-emu\n\n"
    "Output and control:\n"
    "  -q, --quiet            only share results and the summary\n"
    "  -D, --debug            also jobs, difficulty changes and pool details\n"
    "  -P, --protocol-dump    print every line sent (>) and received (<)\n"
    "  --status-interval S    seconds between status lines (default 5)\n"
    "  --duration S           stop after S seconds (default: until Ctrl-C / SIGTERM)\n"
    "  --api-listen [HOST:]PORT  cgminer-compatible API (HOST default 127.0.0.1, PORT default 4028)\n"
    "  --api-allow LIST       addresses/networks allowed privileged API commands (quit, switchpool),\n"
    "                         e.g. W:127.0.0.1,W:192.168.1.0/24\n"
    "  --http [HOST:]PORT     status web page (hashrate plot, shares, pool) and /api/status JSON;\n"
    "                         HOST default 127.0.0.1 (docs/browser.md)\n\n"
    "Built-in pool (only without -o):\n"
    "  --pool-difficulty D    starting share difficulty (default 0.0005; vardiff adjusts it)\n"
    "  --pool-spm N           vardiff goal in shares per minute (default 20)\n\n"
    "Hashrates are measured (hashes counted by the engine / wall-clock seconds).\n";

const OptionSpec kSpecs[] = {
    {"help", 'h', false},           {"url", 'o', true},           {"user", 'u', true},
    {"pass", 'p', true},            {"config", 'c', true},        {"cert", 0, true},
    {"no-verify", 0, false},        {"allow-redirect", 0, false}, {"suggest-diff", 0, true},
    {"no-version-rolling", 0, false}, {"watchdog", 0, true},      {"threads", 't', true},
    {"backend", 0, true},           {"quiet", 'q', false},        {"debug", 'D', false},
    {"protocol-dump", 'P', false},  {"status-interval", 0, true}, {"duration", 0, true},
    {"api-listen", 0, true},        {"api-allow", 0, true},       {"pool-difficulty", 0, true},
    {"pool-spm", 0, true},          {"http", 0, true},
};

// Command-line options over a -c config file's values.
struct Options {
    ParsedArgs args;
    nlohmann::json config = nlohmann::json::object();

    std::optional<std::string> get(const std::string& name) const {
        if (auto v = args.get(name)) return v;
        auto it = config.find(name);
        if (it == config.end() || it->is_null() || *it == false) return std::nullopt;
        if (it->is_string()) return it->get<std::string>();
        if (*it == true) return std::string();
        return it->dump();
    }
    bool has(const std::string& name) const { return get(name).has_value(); }
    std::optional<double> number(const std::string& name, double min, double max) const {
        auto v = get(name);
        if (!v) return std::nullopt;
        ParsedArgs one;
        one.ordered.push_back({name, *v});
        const double d = *one.get_double(name);
        if (d < min || d > max)
            throw UsageError("--" + name + ": " + *v + " is out of range (" + std::to_string(min) + " to " +
                             std::to_string(max) + ")");
        return d;
    }
};

Options load_options(std::span<char* const> argv) {
    Options o;
    o.args = parse_args(kSpecs, argv);
    if (auto path = o.args.get("config")) {
        std::ifstream in(*path);
        if (!in) throw UsageError("--config: cannot open '" + *path + "'");
        try {
            o.config = nlohmann::json::parse(in);
        } catch (const nlohmann::json::parse_error& e) {
            throw UsageError("--config " + *path + ": not valid JSON: " + e.what());
        }
        if (!o.config.is_object()) throw UsageError("--config " + *path + ": must be a JSON object");
        std::set<std::string> known;
        for (const auto& s : kSpecs) known.insert(s.long_name);
        for (const auto& [k, v] : o.config.items())
            if (k != "pools" && (!known.count(k) || k == "config" || k == "help"))
                throw UsageError("--config " + *path + ": unknown option '" + k + "'");
    }
    return o;
}

std::vector<stratum::PoolConfig> pool_list(const Options& o) {
    std::vector<stratum::PoolConfig> pools;
    const auto urls = o.args.all("url"), users = o.args.all("user"), passes = o.args.all("pass");
    for (std::size_t i = 0; i < urls.size(); ++i) {
        stratum::PoolConfig p;
        p.url = urls[i];
        p.user = i < users.size() ? users[i] : users.empty() ? "" : users.back();
        p.password = i < passes.size() ? passes[i] : passes.empty() ? "x" : passes.back();
        pools.push_back(p);
    }
    if (urls.empty() && o.config.contains("pools")) {
        const auto& list = o.config["pools"];
        if (!list.is_array()) throw UsageError("--config: \"pools\" must be an array");
        for (const auto& e : list) {
            if (!e.is_object() || !e.contains("url") || !e["url"].is_string())
                throw UsageError("--config: every pool needs a \"url\" string");
            stratum::PoolConfig p;
            p.url = e["url"].get<std::string>();
            p.user = e.value("user", "");
            p.password = e.value("pass", e.value("password", "x"));
            pools.push_back(p);
        }
    }
    for (auto& p : pools) {
        try {
            stratum::parse_pool_url(p.url);
        } catch (const stratum::UrlError& e) {
            throw UsageError(std::string("-o: ") + e.what());
        }
        if (p.user.empty()) throw UsageError("pool " + p.url + ": no user name (-u)");
    }
    return pools;
}

std::pair<std::string, std::uint16_t> api_address(const std::string& spec) {
    std::string host = "127.0.0.1", port = spec;
    if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
        host = spec.substr(0, colon);
        port = spec.substr(colon + 1);
    }
    if (port.empty()) port = "4028";
    if (host.empty()) host = "127.0.0.1";
    ParsedArgs one;
    one.ordered.push_back({"api-listen", port});
    return {host, static_cast<std::uint16_t>(*one.get_int("api-listen", 1, 65535))};
}

class EngineSink : public stratum::WorkSink {
public:
    explicit EngineSink(SearchEngine& e) : engine_(e) {}
    std::uint64_t set_job(const EngineJob& job) override { return engine_.set_job(job); }
    void pause() override { engine_.pause(); }

private:
    SearchEngine& engine_;
};

std::string reason_text(const stratum::ShareResult& r) {
    std::string t(stratum::reject_kind_name(r.reason.kind));
    t += ": ";
    if (r.reason.code) t += std::to_string(r.reason.code) + " ";
    return t + r.reason.text;
}

void say(const std::string& line) {
    std::fputs((clock_prefix() + " " + line + "\n").c_str(), stdout);
    std::fflush(stdout);
}

}  // namespace

int run_mine(std::span<char* const> argv) {
    const Options opt = load_options(argv);
    if (opt.args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!opt.args.positional.empty()) throw UsageError("unexpected argument '" + opt.args.positional[0] + "'");
    const bool quiet = opt.has("quiet"), debug = opt.has("debug"), dump = opt.has("protocol-dump");
    auto pools = pool_list(opt);
    const auto threads = opt.number("threads", 1, 1024);
    const auto status_interval = opt.number("status-interval", 0.5, 3600).value_or(5);
    const auto duration = opt.number("duration", 0.1, 1e9);
    const auto watchdog = opt.number("watchdog", 1, 86400).value_or(120);
    const auto suggest = opt.number("suggest-diff", 1e-12, 1e18);
    const auto pool_difficulty = opt.number("pool-difficulty", 1e-12, 1e12).value_or(0.0005);
    const auto pool_spm = opt.number("pool-spm", 0.1, 6000).value_or(20);
    ApiAllowList allow;
    if (auto a = opt.get("api-allow")) {
        try {
            allow = ApiAllowList(*a);
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    std::optional<std::pair<std::string, std::uint16_t>> api;
    if (auto a = opt.get("api-listen")) api = api_address(*a);
    std::optional<std::pair<std::string, std::uint16_t>> http_listen;
    if (auto h = opt.get("http")) {
        try {
            http_listen = parse_http_listen(*h);
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }

    const BackendInfo backend = resolve_backend(opt.get("backend").value_or(std::string(kAutoBackend)));
    net::EventLoop loop;

    // No pool given: the built-in pool, in-process on loopback.
    std::unique_ptr<stratum::Pool> embedded;
    std::unique_ptr<stratum::PoolServer> embedded_server;
    if (pools.empty()) {
        stratum::PoolOptions po;
        po.start_difficulty = pool_difficulty;
        po.shares_per_minute = pool_spm;
        po.vardiff_interval = std::chrono::seconds(10);
        embedded = std::make_unique<stratum::Pool>(po);
        embedded->set_log([debug](const std::string& t) {
            if (debug || t.rfind("BLOCK FOUND", 0) == 0) say("[pool] " + t);
        });
        stratum::PoolServerOptions so;
        so.host = "127.0.0.1";
        so.port = 0;
        embedded_server = std::make_unique<stratum::PoolServer>(loop, *embedded, so);
        const std::string url = "stratum+tcp://127.0.0.1:" + std::to_string(embedded_server->port());
        const std::string user = opt.args.get("user").value_or("hashforge.embedded");
        pools.push_back({url, user, "x"});
        say("no -o given: mining against the built-in pool at " + url +
            " (in-process, regtest-style block template, start difficulty " + std::to_string(pool_difficulty) + ")");
    }

    stratum::RunnerOptions ro;
    ro.pools = pools;
    ro.session.user_agent = "hashforge/" + std::string(version_number());
    ro.session.version_rolling = !opt.has("no-version-rolling");
    ro.session.suggest_difficulty = suggest;
    ro.tls.verify = !opt.has("no-verify");
    ro.tls.ca_file = opt.get("cert").value_or("");
    ro.allow_redirect = opt.has("allow-redirect");
    ro.watchdog = std::chrono::milliseconds(static_cast<long long>(watchdog * 1000));

    std::atomic<stratum::ClientRunner*> runner_ptr{nullptr};
    EngineConfig ec;
    ec.threads = threads ? static_cast<unsigned>(*threads) : 0;
    ec.backend = backend;
    ec.on_share = [&runner_ptr](const FoundShare& s) {
        if (auto* r = runner_ptr.load()) r->found_share(s);
    };
    auto engine = std::make_unique<SearchEngine>(ec);
    EngineSink sink(*engine);
    say("hashing with " + std::string(engine->backend_name()) + " on " + std::to_string(engine->threads()) +
        " thread(s)");

    std::unique_ptr<StatusHttpServer> status_page;
    stratum::RunnerEvents ev;
    if (!quiet) ev.info = [](const std::string& t) { say(t); };
    if (debug) ev.debug = [](const std::string& t) { say("[debug] " + t); };
    if (dump) ev.dump = [](const std::string& t) { say(t); };
    ev.share = [&engine, &status_page](const stratum::ShareResult& r, std::size_t) {
        if (status_page) status_page->note_share(r);
        char buf[320];
        if (r.accepted) {
            std::snprintf(buf, sizeof buf, "accepted: share diff %.6g (pool diff %.6g) job %s nonce %s, %lld ms, %s",
                          r.share.share_difficulty, r.difficulty, r.share.job_id.c_str(),
                          u32_to_hex(r.share.nonce).c_str(), static_cast<long long>(r.latency.count()),
                          hashrate_text(engine->hashrate().rate_5s).c_str());
        } else if (!r.submitted) {
            std::snprintf(buf, sizeof buf, "share not submitted (%s)", reason_text(r).c_str());
        } else {
            std::snprintf(buf, sizeof buf, "REJECTED (%s): share diff %.6g job %s nonce %s", reason_text(r).c_str(),
                          r.share.share_difficulty, r.share.job_id.c_str(), u32_to_hex(r.share.nonce).c_str());
        }
        say(buf);
    };

    auto runner = std::make_unique<stratum::ClientRunner>(loop, ro, sink, ev);
    runner_ptr = runner.get();
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };

    auto state = [&] {
        MinerState s;
        s.pools = runner->snapshot();
        s.hashrate = engine->hashrate();
        s.backend = std::string(engine->backend_name());
        s.threads = engine->threads();
        s.elapsed_seconds = elapsed();
        s.now_unix = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        s.version = std::string("hashforge ") + version_number();
        return s;
    };
    auto status_line = [&] {
        const MinerState s = state();
        const auto& t = s.pools.total;
        const auto& active = s.pools.pools[s.pools.active];
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "%s (5s) %s (avg) | A %llu R %llu (stale %llu dup %llu lowdiff %llu other %llu) S %llu | diff %.6g | %s%s | up %s",
                      hashrate_text(s.hashrate.rate_5s).c_str(), hashrate_text(s.hashrate.rate_total).c_str(),
                      static_cast<unsigned long long>(t.accepted), static_cast<unsigned long long>(t.rejected_total()),
                      static_cast<unsigned long long>(t.rejected[0]), static_cast<unsigned long long>(t.rejected[1]),
                      static_cast<unsigned long long>(t.rejected[2]), static_cast<unsigned long long>(t.rejected[3]),
                      static_cast<unsigned long long>(t.stale_total()), active.difficulty, active.url.c_str(),
                      active.alive ? "" : " (down)", duration_text(s.elapsed_seconds).c_str());
        say(buf);
    };

    bool stopping = false;
    auto shutdown = [&](const std::string& why) {
        if (stopping) return;
        stopping = true;
        if (!quiet) say(why + ": stopping");
        runner->stop();
        loop.stop();
    };
    loop.on_signals([&](int sig) { shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM"); });

    net::Timer status_timer(loop), duration_timer(loop);
    std::function<void()> status_tick = [&] {
        if (!quiet) status_line();
        status_timer.after(std::chrono::milliseconds(static_cast<long long>(status_interval * 1000)), status_tick);
    };
    status_timer.after(std::chrono::milliseconds(static_cast<long long>(status_interval * 1000)), status_tick);
    if (duration)
        duration_timer.after(std::chrono::milliseconds(static_cast<long long>(*duration * 1000)),
                             [&] { shutdown("--duration " + opt.get("duration").value_or("") + " s reached"); });

    std::unique_ptr<net::RequestListener> api_listener;
    if (api) {
        ApiActions actions;
        actions.quit = [&] { loop.post([&] { shutdown("API quit"); }); };
        actions.switch_pool = [&](std::size_t i) {
            if (i >= pools.size()) return false;
            runner->switch_pool(i);
            return true;
        };
        try {
            api_listener = std::make_unique<net::RequestListener>(
                loop, api->first, api->second,
                [&, actions, allow](const std::string& req, const std::string& peer) {
                    if (debug) say("[api] " + peer + ": " + req);
                    return api_reply(req, peer, state(), allow, actions);
                });
        } catch (const std::exception& e) {
            std::cerr << "hashforge mine: --api-listen: " << e.what() << "\n";
            return kExitFailure;
        }
        say("cgminer API listening on " + api->first + ":" + std::to_string(api_listener->port()));
    }

    if (http_listen) {
        try {
            status_page = std::make_unique<StatusHttpServer>(loop, StatusHttpOptions{.host = http_listen->first, .port = http_listen->second}, state);
        } catch (const std::exception& e) {
            std::cerr << "hashforge mine: " << e.what() << "\n";
            return kExitFailure;
        }
        const auto& host = http_listen->first;
        say("status page on http://" + (host.find(':') == std::string::npos ? host : "[" + host + "]") + ":" +
            std::to_string(status_page->port()) + "/");
    }

    runner->start();
    loop.run();

    // Summary, then tear down in dependency order: the engine (its workers call the runner) first.
    const MinerState s = state();
    engine->pause();
    runner_ptr = nullptr;
    engine.reset();
    const auto& t = s.pools.total;
    std::printf("\nSummary after %s (measured):\n", duration_text(s.elapsed_seconds).c_str());
    std::printf("  hashrate        %s average, %s last 5 s (%s, %u threads)\n", hashrate_text(s.hashrate.rate_total).c_str(),
                hashrate_text(s.hashrate.rate_5s).c_str(), s.backend.c_str(), s.threads);
    std::printf("  hashes          %llu\n", static_cast<unsigned long long>(s.hashrate.total_hashes));
    std::printf("  accepted        %llu (difficulty sum %.6g, best share %.6g)\n", static_cast<unsigned long long>(t.accepted),
                t.accepted_difficulty, t.best_share);
    std::printf("  rejected        %llu (stale %llu, duplicate %llu, low difficulty %llu, other %llu)\n",
                static_cast<unsigned long long>(t.rejected_total()), static_cast<unsigned long long>(t.rejected[0]),
                static_cast<unsigned long long>(t.rejected[1]), static_cast<unsigned long long>(t.rejected[2]),
                static_cast<unsigned long long>(t.rejected[3]));
    std::printf("  not submitted   %llu stale, %llu failed re-verification; %llu unanswered; %zu held at exit\n",
                static_cast<unsigned long long>(t.stale_local), static_cast<unsigned long long>(t.invalid_local),
                static_cast<unsigned long long>(t.unanswered), s.pools.held);
    std::printf("  hardware errors %llu (engine candidates that failed host re-verification)\n",
                static_cast<unsigned long long>(s.hashrate.hardware_errors));
    for (const auto& p : s.pools.pools)
        std::printf("  pool %-40s accepted %llu rejected %llu connects %llu\n", p.url.c_str(),
                    static_cast<unsigned long long>(p.shares.accepted),
                    static_cast<unsigned long long>(p.shares.rejected_total()), static_cast<unsigned long long>(p.connects));
    if (embedded) {
        const auto ps = embedded->stats();
        std::uint64_t rej = 0;
        for (const auto& [code, n] : ps.rejected) rej += n;
        std::printf("  built-in pool   accepted %llu, rejected %llu, blocks found %llu, height %u\n",
                    static_cast<unsigned long long>(ps.accepted), static_cast<unsigned long long>(rej),
                    static_cast<unsigned long long>(ps.blocks), ps.height);
    }
    std::fflush(stdout);
    runner.reset();
    api_listener.reset();
    status_page.reset();
    embedded_server.reset();
    return kExitOk;
}

}  // namespace hf::cli
