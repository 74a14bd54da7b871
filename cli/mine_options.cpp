#include "cli/mine_options.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "cli/args.hpp"
#include "cli/backend_registry.hpp"
#include "cli/status_http.hpp"
#include "cli/version.hpp"
#include "core/target.hpp"
#include "stratum/pool_url.hpp"

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
    "  --suggest-diff D|auto|off  send mining.suggest_difficulty after subscribing. auto (default):\n"
    "                         from the hashrate measured at start, one share per ~15 s (built-in pool:\n"
    "                         its --pool-spm goal); the pool's mining.set_difficulty still decides\n"
    "  --no-version-rolling   do not ask for BIP 310 version rolling (mining.configure)\n"
    "  --watchdog S           no mining.notify for S seconds means the pool is dead (default 120)\n\n"
    "Hashing:\n"
    "  -t, --threads N        worker threads (default: one per core)\n"
    "  --backend NAME         auto (default: fastest measured), scalar, shani, avx2, avx512,\n"
    "                         avx512+shani, opencl, asic-emu\n"
    "  --opencl-device N      the OpenCL device for opencl (as 'hashforge selftest' lists them)\n"
    "  --device MODEL:PATH    mine with BM13xx chips on a serial device instead (bm1366 or bm1397;\n"
    "                         a Bitaxe's UART, or `hashforge chip --pty PATH`); see docs/serial-chip.md\n"
    "  --chips N              chips expected on the device's chain (default 1)\n"
    "  --frequency MHZ        the chips' hash clock (default: the model's, 485 / 425 MHz)\n\n"
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
    {"pool-spm", 0, true},          {"device", 0, true},          {"chips", 0, true},
    {"frequency", 0, true},         {"opencl-device", 0, true},   {"http", 0, true},
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
        const double d = parse_double(name, *v);
        if (d < min || d > max)
            throw UsageError("--" + name + ": " + *v + " is out of range (" + std::to_string(min) + " to " +
                             std::to_string(max) + ")");
        return d;
    }
};

nlohmann::json read_config_file(const std::string& path) {
    const std::string text = read_option_file("config", path);
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw UsageError("--config " + path + ": not valid JSON: " + e.what());
    }
    if (!config.is_object()) throw UsageError("--config " + path + ": must be a JSON object");
    std::set<std::string> known;
    for (const auto& s : kSpecs) known.insert(s.long_name);
    for (const auto& [k, v] : config.items())
        if (k != "pools" && (!known.count(k) || k == "config" || k == "help"))
            throw UsageError("--config " + path + ": unknown option '" + k + "'");
    return config;
}

Options load_options(std::span<char* const> argv) {
    Options o;
    o.args = parse_args(kSpecs, argv);
    if (auto path = o.args.get("config")) o.config = read_config_file(*path);
    return o;
}

std::vector<stratum::PoolConfig> config_file_pools(const nlohmann::json& config) {
    std::vector<stratum::PoolConfig> pools;
    if (!config.contains("pools")) return pools;
    const auto& list = config["pools"];
    if (!list.is_array()) throw UsageError("--config: \"pools\" must be an array");
    for (const auto& e : list) {
        if (!e.is_object() || !e.contains("url") || !e["url"].is_string())
            throw UsageError("--config: every pool needs a \"url\" string");
        pools.push_back({e["url"].get<std::string>(), e.value("user", ""), e.value("pass", e.value("password", "x"))});
    }
    return pools;
}

// -o/-u/-p groups in order (a missing -u/-p repeats the last one given), else the config's pools.
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
    if (urls.empty()) pools = config_file_pools(o.config);
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
    return {host, static_cast<std::uint16_t>(parse_int("api-listen", port, 1, 65535))};
}

ApiAllowList api_allow_list(const Options& o) {
    const auto spec = o.get("api-allow");
    if (!spec) return {};
    try {
        return ApiAllowList(*spec);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
}

}  // namespace

const char* mine_help() { return kHelp; }

MineSettings read_mine_settings(std::span<char* const> argv) {
    const Options opt = load_options(argv);
    MineSettings s;
    s.help = opt.args.has("help");
    if (s.help) return s;
    if (!opt.args.positional.empty()) throw UsageError("unexpected argument '" + opt.args.positional[0] + "'");
    s.quiet = opt.has("quiet");
    s.debug = opt.has("debug");
    s.dump = opt.has("protocol-dump");
    s.pools = pool_list(opt);
    s.embedded_user = opt.args.get("user").value_or("hashforge.embedded");
    s.threads = opt.number("threads", 1, 1024);
    s.status_interval = opt.number("status-interval", 0.5, 3600).value_or(5);
    s.duration = opt.number("duration", 0.1, 1e9);
    s.duration_text = opt.get("duration").value_or("");
    s.watchdog = opt.number("watchdog", 1, 86400).value_or(120);
    const std::string suggest = opt.get("suggest-diff").value_or("auto");
    s.suggest_auto = suggest == "auto";
    if (!s.suggest_auto && suggest != "off") s.suggest_difficulty = opt.number("suggest-diff", 1e-12, 1e18);
    s.pool_difficulty = opt.number("pool-difficulty", 1e-12, 1e12).value_or(0.0005);
    s.pool_spm = opt.number("pool-spm", 0.1, 6000).value_or(20);
    s.api_allow = api_allow_list(opt);
    if (auto a = opt.get("api-listen")) s.api_listen = api_address(*a);
    if (auto h = opt.get("http")) {
        try {
            s.http_listen = parse_http_listen(*h);
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    s.backend = opt.get("backend").value_or(std::string(kAutoBackend));
    apply_opencl_device(opt.get("opencl-device"));
    s.version_rolling = !opt.has("no-version-rolling");
    s.tls_verify = !opt.has("no-verify");
    s.cert = opt.get("cert").value_or("");
    if (!s.cert.empty()) require_pem_file("cert", s.cert, "CERTIFICATE");
    s.allow_redirect = opt.has("allow-redirect");
    if (auto d = opt.get("device")) {
        try {
            s.device = hw::host::parse_device_spec(*d);
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
        s.device->chips = static_cast<unsigned>(opt.number("chips", 1, 128).value_or(1));
        s.device->frequency_mhz = opt.number("frequency", 50, 1000);
        if (opt.has("backend")) throw UsageError("--device and --backend: a device hashes on its own chips");
    } else if (opt.has("chips") || opt.has("frequency")) {
        throw UsageError("--chips and --frequency need --device");
    }
    return s;
}

stratum::RunnerOptions runner_options(const MineSettings& s) {
    stratum::RunnerOptions ro;
    ro.pools = s.pools;
    ro.session.user_agent = "hashforge/" + std::string(version_number());
    ro.session.version_rolling = s.version_rolling;
    ro.session.suggest_difficulty = s.suggest_difficulty;
    ro.tls.verify = s.tls_verify;
    ro.tls.ca_file = s.cert;
    ro.allow_redirect = s.allow_redirect;
    ro.watchdog = std::chrono::milliseconds(static_cast<long long>(s.watchdog * 1000));
    return ro;
}

EngineConfig engine_config(const MineSettings& s) {
    EngineConfig ec;
    ec.threads = s.threads ? static_cast<unsigned>(*s.threads) : 0;
    ec.backend = resolve_backend(s.backend);
    return ec;
}

stratum::PoolOptions embedded_pool_options(const MineSettings& s) {
    stratum::PoolOptions po;
    po.start_difficulty = s.pool_difficulty;
    po.shares_per_minute = s.pool_spm;
    po.vardiff_interval = std::chrono::seconds(10);
    return po;
}

double auto_suggested_difficulty(double hashrate, double seconds_per_share, double floor) {
    return std::max(floor, difficulty_for_hashes_per_share(hashrate * seconds_per_share));
}

}  // namespace hf::cli
