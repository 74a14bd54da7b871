// hashforge pool: the built-in Stratum V1 pool as a server of its own, for miners on this machine or
// a LAN (cgminer, cpuminer, a Bitaxe, or hashforge mine -o stratum+tcp://127.0.0.1:3333).
#include <cstdio>
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/console_format.hpp"
#include "core/hex.hpp"
#include "stratum/pool_server.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge pool [--listen HOST:PORT] [OPTIONS]\n\n"
    "A small real Stratum V1 pool. It builds jobs from a regtest-style block template it makes itself\n"
    "(a coinbase paying --payout-script with the BIP 34 height, synthetic transactions, easy nBits),\n"
    "gives each connection its own extranonce1, grants BIP 310 version rolling, runs vardiff, and\n"
    "re-checks every share (20 other, 21 stale, 22 duplicate, 23 low difficulty, 24 unauthorized,\n"
    "25 not subscribed). Blocks are noticed, logged and counted; nothing is relayed anywhere.\n\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:3333)\n"
    "  --difficulty D         starting share difficulty (default 0.001)\n"
    "  --min-difficulty D     vardiff floor (default 1e-9)\n"
    "  --spm N                vardiff goal in shares per minute per connection (default 20)\n"
    "  --no-vardiff           keep every connection at --difficulty\n"
    "  --nbits HEX            block target, 8 hex digits (default 1d00ffff: difficulty 1)\n"
    "  --payout-script HEX    coinbase output script (default 51: OP_TRUE)\n"
    "  --version-mask HEX     bits miners may roll (default 1fffe000)\n"
    "  --tls-cert FILE --tls-key FILE   serve TLS (stratum+ssl://) with this PEM certificate and key\n"
    "  --max-connections N    connections served at once (default 1024)\n"
    "  --max-per-address N    connections from one IP address (default 256)\n"
    "  --subscribe-timeout S  close a connection not subscribed within S seconds (default 15)\n"
    "  --idle-timeout S       close a connection after S seconds without a complete line (default 600)\n"
    "  --duration S           stop after S seconds\n"
    "  -q, --quiet            do not log every share\n"
    "  -P, --protocol-dump    print every line sent (>) and received (<), as mine -P does\n";

}  // namespace

int run_pool(std::span<char* const> argv) {
    static const OptionSpec specs[] = {
        {"help", 'h', false},        {"listen", 0, true},       {"difficulty", 0, true},   {"min-difficulty", 0, true},
        {"spm", 0, true},            {"no-vardiff", 0, false},  {"nbits", 0, true},        {"payout-script", 0, true},
        {"version-mask", 0, true},   {"tls-cert", 0, true},     {"tls-key", 0, true},      {"duration", 0, true},
        {"quiet", 'q', false},       {"protocol-dump", 'P', false}, {"max-connections", 0, true},
        {"max-per-address", 0, true}, {"subscribe-timeout", 0, true}, {"idle-timeout", 0, true},
    };
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");

    stratum::PoolOptions po;
    if (auto d = args.get_double("difficulty")) {
        if (*d <= 0) throw UsageError("--difficulty must be positive");
        po.start_difficulty = *d;
    }
    if (auto d = args.get_double("min-difficulty")) {
        if (*d <= 0) throw UsageError("--min-difficulty must be positive");
        po.min_difficulty = *d;
    }
    if (auto d = args.get_double("spm")) {
        if (*d <= 0) throw UsageError("--spm must be positive");
        po.shares_per_minute = *d;
    }
    po.vardiff = !args.has("no-vardiff");
    auto seconds = [&](const char* name, std::chrono::milliseconds& out) {
        if (auto d = args.get_double(name)) {
            if (!(*d > 0 && *d <= 86400)) throw UsageError(std::string("--") + name + " must be more than 0 and at most 86400 seconds");
            out = std::chrono::milliseconds(static_cast<long long>(*d * 1000));
        }
    };
    seconds("subscribe-timeout", po.subscribe_timeout);
    seconds("idle-timeout", po.idle_timeout);
    try {
        if (auto v = args.get("nbits")) po.block.nbits = hex_to_u32(*v, "--nbits");
        if (auto v = args.get("version-mask")) po.version_mask = hex_to_u32(*v, "--version-mask");
        if (auto v = args.get("payout-script")) po.block.payout_script = hex_decode(*v, "--payout-script");
    } catch (const HexError& e) {
        throw UsageError(e.what());
    }
    if (po.block.payout_script.empty() || po.block.payout_script.size() > 10000)
        throw UsageError("--payout-script must be 1 to 10000 bytes");

    stratum::PoolServerOptions so;
    auto count = [&](const char* name, std::size_t& out) {
        if (auto d = args.get_double(name)) {
            if (!(*d >= 1 && *d <= 1e6) || *d != static_cast<double>(static_cast<long>(*d)))
                throw UsageError(std::string("--") + name + " must be a whole number from 1 to 1000000");
            out = static_cast<std::size_t>(*d);
        }
    };
    count("max-connections", so.max_connections);
    count("max-per-address", so.max_connections_per_address);
    const std::string listen = args.get("listen").value_or("127.0.0.1:3333");
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw UsageError("--listen: expected HOST:PORT, got '" + listen + "'");
    so.host = listen.substr(0, colon);
    if (so.host.size() > 2 && so.host.front() == '[') so.host = so.host.substr(1, so.host.size() - 2);
    so.port = static_cast<std::uint16_t>(parse_int("listen", listen.substr(colon + 1), 0, 65535));
    if (args.has("tls-cert") != args.has("tls-key")) throw UsageError("--tls-cert and --tls-key go together");
    if (args.has("tls-cert")) {
        so.tls = net::TlsServerConfig{*args.get("tls-cert"), *args.get("tls-key")};
        require_pem_file("tls-cert", so.tls->cert_file, "CERTIFICATE");
        require_pem_file("tls-key", so.tls->key_file, "PRIVATE KEY");
    }
    const bool quiet = args.has("quiet");
    if (args.has("protocol-dump"))
        so.dump = [](const std::string& t) {
            std::printf("%s %s\n", clock_prefix().c_str(), t.c_str());
            std::fflush(stdout);
        };
    const auto duration = args.get_double("duration");

    stratum::Pool pool(po);
    pool.set_log([quiet](const std::string& t) {
        if (quiet && t.find("share accepted") != std::string::npos) return;
        std::printf("%s %s\n", clock_prefix().c_str(), t.c_str());
        std::fflush(stdout);
    });
    net::EventLoop loop;
    std::unique_ptr<stratum::PoolServer> server;
    try {
        server = std::make_unique<stratum::PoolServer>(loop, pool, so);
    } catch (const std::exception& e) {
        std::cerr << "hashforge pool: " << e.what() << "\n";
        return kExitFailure;
    }
    std::printf("%s pool listening on %s%s:%u (difficulty %g, vardiff %s, nBits %08x)\n", clock_prefix().c_str(),
                so.tls ? "stratum+ssl://" : "stratum+tcp://", so.host.c_str(), server->port(), po.start_difficulty,
                po.vardiff ? "on" : "off", po.block.nbits);
    std::fflush(stdout);
    loop.on_signals([&](int) { loop.stop(); });
    net::Timer stop_timer(loop);
    if (duration) stop_timer.after(std::chrono::milliseconds(static_cast<long long>(*duration * 1000)), [&] { loop.stop(); });
    loop.run();
    server.reset();
    const auto st = pool.stats();
    std::printf("\npool summary: accepted %llu, blocks %llu, height %u\n", static_cast<unsigned long long>(st.accepted),
                static_cast<unsigned long long>(st.blocks), st.height);
    for (const auto& [code, n] : st.rejected)
        std::printf("  rejected with code %d: %llu\n", code, static_cast<unsigned long long>(n));
    for (const auto& [name, w] : st.workers)
        std::printf("  worker %-30s accepted %llu, difficulty sum %.6g, best %.6g, blocks %llu\n", name.c_str(),
                    static_cast<unsigned long long>(w.accepted), w.accepted_difficulty, w.best_difficulty,
                    static_cast<unsigned long long>(w.blocks));
    return kExitOk;
}

}  // namespace hf::cli
