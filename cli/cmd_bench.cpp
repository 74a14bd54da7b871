// hashforge bench: measured hashrate per backend and thread count, through the real search engine
// (job distribution, extranonce2 rolling and host re-verification included) on a synthetic job.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include <sys/resource.h>

#include "cli/args.hpp"
#include "cli/backend_registry.hpp"
#include "cli/commands.hpp"
#include "core/cpu_features.hpp"
#include "core/search_engine.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"
#include "core/tsc.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge bench [--backend all|auto|NAME] [--seconds S] [-t|--threads N] [--json] [--verify]\n\n"
    "Measures sha256d hashrate on this machine through the search engine, per backend and thread\n"
    "count. Every figure is measured (hashes counted / steady_clock seconds), never modeled.\n\n"
    "  --backend B     all: every backend (unsupported ones listed as skipped); auto (default): the one\n"
    "                  the miner would pick; or a name: scalar, shani, avx2, avx512, opencl, shani-x1..x4\n"
    "  --opencl-device N  the OpenCL device for opencl (numbered as 'hashforge selftest' lists them)\n"
    "  --seconds S     measuring time per run (default 3)\n"
    "  -t, --threads N threads per run (default: 1, then one per core when there is more than one)\n"
    "  --json          print one JSON object: {\"cpu_features\": [...], \"results\": [...]}\n"
    "  --verify        instead of speed, compare each backend's found nonces with the portable\n"
    "                  reference on random headers at an easy target for S seconds\n\n"
    "Eras: scalar and shani are CPU designs; avx2/avx512 are 'GPU-style' (one nonce per SIMD lane,\n"
    "all lanes in lockstep, the way a GPU warp runs); opencl is a real GPU kernel (OpenCL C), run by\n"
    "the OpenCL driver of a GPU, or of the CPU through POCL (threads then mean host threads feeding it).\n\n"
    "hashforge bench --joules [...]: hashes per joule, CPU -> GPU -> ASIC, measured, modeled and\n"
    "published, in one table and chart (see 'hashforge bench --joules --help').\n";

struct BenchResult {
    std::string backend;
    Era era = Era::Cpu;
    unsigned threads = 0;
    double hashrate = 0;
    std::uint64_t hashes = 0;
    double seconds = 0;
    double cpu_seconds = 0;  // CPU time the process used meanwhile (getrusage): the workers' share
    std::string skipped;  // non-empty: why it did not run
};

double process_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string rate_text(double hps) {
    const char* units[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s"};
    int u = 0;
    while (hps >= 1000 && u < 4) {
        hps /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %s", hps, units[u]);
    return buf;
}

// A synthetic job: random coinbase halves and merkle branch, an impossible share difficulty so the
// engine spends its time hashing (any candidate would still be re-verified).
EngineJob synthetic_job() {
    std::mt19937_64 rng(std::random_device{}());
    EngineJob ej;
    ej.job.job_id = "bench";
    for (auto& b : ej.job.prev_hash) b = static_cast<std::uint8_t>(rng());
    ej.job.coinb1.resize(60);
    ej.job.coinb2.resize(40);
    for (auto& b : ej.job.coinb1) b = static_cast<std::uint8_t>(rng());
    for (auto& b : ej.job.coinb2) b = static_cast<std::uint8_t>(rng());
    ej.job.merkle_branch.resize(3);
    for (auto& h : ej.job.merkle_branch)
        for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    ej.job.version = 0x20000000;
    ej.job.nbits = 0x17034219;
    ej.job.ntime = 0x6560a1b2;
    ej.job.clean_jobs = true;
    ej.extranonce1 = {0xde, 0xad, 0xbe, 0xef};
    ej.extranonce2_size = 4;
    ej.difficulty = 1e15;
    return ej;
}

BenchResult run_one(const BackendInfo& b, unsigned threads, double seconds) {
    BenchResult r{b.name, b.era, threads, 0, 0, 0, 0, {}};
    SearchEngine engine({threads, b, {}});
    engine.set_job(synthetic_job());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // workers started and hashing
    const auto s0 = engine.hashrate();
    const double cpu0 = process_cpu_seconds();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const auto s1 = engine.hashrate();
    r.cpu_seconds = process_cpu_seconds() - cpu0;
    r.hashes = s1.total_hashes - s0.total_hashes;
    r.seconds = s1.seconds - s0.seconds;
    r.hashrate = r.seconds > 0 ? static_cast<double>(r.hashes) / r.seconds : 0;
    return r;
}

// --verify: the backend's exact found set against the reference, on random headers.
BenchResult verify_one(const BackendInfo& b, double seconds, std::uint64_t& mismatches) {
    BenchResult r{b.name, b.era, 1, 0, 0, 0, 0, {}};
    auto backend = b.create();
    std::mt19937_64 rng(std::random_device{}());
    const std::atomic<bool> no_stop{false};
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
        HeaderBytes h;
        for (auto& x : h) x = static_cast<std::uint8_t>(rng());
        U256 target = U256::max() >> (3 + rng() % 3);  // 1/8 .. 1/32 of nonces qualify
        const ScanWork w = ScanWork::from_header(h, target);
        const NonceRange range{static_cast<std::uint32_t>(rng()), 4096 + rng() % 61};
        std::vector<std::uint32_t> found, expect;
        backend->scan(w, range, found, no_stop);
        for (std::uint64_t i = 0; i < range.count; ++i)
            if (reference_meets_target(w, range.first + static_cast<std::uint32_t>(i)))
                expect.push_back(range.first + static_cast<std::uint32_t>(i));
        if (found != expect) ++mismatches;
        r.hashes += range.count;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

// The SHA-NI bound: compression throughput by micro-benchmark (best of many short bursts, in TSC
// ticks; the TSC rate measured against steady_clock). A nonce costs about two compressions.
struct ShaniBound {
    double tsc_hz = 0;
    double ticks_1 = 0, ticks_4 = 0;  // per 64-round compression: 1 stream (latency), 4 (throughput)
    double bound = 0;                 // hashes per second per core
};

ShaniBound measure_shani_bound() {
    ShaniBound b;
    b.tsc_hz = measure_tsc_hz(std::chrono::milliseconds(100));
    double t1 = 1e30, t4 = 1e30;
    for (int rep = 0; rep < 60; ++rep) {
        t1 = std::min(t1, shani_tsc_per_compression(1, 5000));
        t4 = std::min(t4, shani_tsc_per_compression(4, 5000));
    }
    b.ticks_1 = t1;
    b.ticks_4 = t4;
    b.bound = t4 > 0 ? b.tsc_hz / (2 * t4) : 0;
    return b;
}

}  // namespace

int run_bench(std::span<char* const> argv) {
    // `bench --joules` is its own report with its own options (cmd_bench_joules.cpp).
    for (const char* a : argv)
        if (std::string_view(a) == "--joules") return run_bench_joules(argv);
    static const OptionSpec specs[] = {{"help", 'h', false}, {"backend", 0, true}, {"seconds", 0, true},
                                       {"threads", 't', true}, {"json", 0, false}, {"verify", 0, false},
                                       {"opencl-device", 0, true}};
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
    const double seconds = args.get_double("seconds").value_or(3.0);
    if (!(seconds > 0 && seconds <= 3600)) throw UsageError("--seconds: must be more than 0 and at most 3600");
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::vector<unsigned> thread_counts;
    if (auto t = args.get_int("threads", 1, 1024)) thread_counts.push_back(static_cast<unsigned>(*t));
    else {
        thread_counts.push_back(1);
        if (cores > 1) thread_counts.push_back(cores);
    }
    const bool json = args.has("json");
    const bool verify = args.has("verify");
    const std::string which = args.get("backend").value_or(std::string(kAutoBackend));
    apply_opencl_device(args.get("opencl-device"));

    std::vector<BackendInfo> backends;
    std::vector<BenchResult> skipped;
    std::vector<CalibrationResult> calibration;
    if (which == "all") {
        for (const auto& b : cli_backends()) {
            if (!b.supported()) skipped.push_back({b.name, b.era, 0, 0, 0, 0, 0, unsupported_reason(b)});
            else if (const auto why = backend_self_test(b); !why.empty())
                skipped.push_back({b.name, b.era, 0, 0, 0, 0, 0, "self-test failed: " + why});
            else backends.push_back(b);
        }
    } else {
        backends.push_back(resolve_backend(which, &calibration, true));
    }

    std::vector<BenchResult> results;
    std::uint64_t mismatches = 0;
    ShaniBound bound;
    if (!verify && cpu_features().sha && cpu_features().sse41 && cpu_features().ssse3) bound = measure_shani_bound();
    double best_single = 0, best_single_cpu = 0;  // 1 thread: wall-clock and per CPU-second
    std::string best_name;
    for (const auto& b : backends) {
        if (verify) {
            results.push_back(verify_one(b, seconds, mismatches));
            continue;
        }
        for (unsigned t : thread_counts) {
            results.push_back(run_one(b, t, seconds));
            const BenchResult& r = results.back();
            const double per_cpu = r.cpu_seconds > 0 ? static_cast<double>(r.hashes) / r.cpu_seconds : 0;
            if (t == 1 && per_cpu > best_single_cpu) {
                best_single = r.hashrate;
                best_single_cpu = per_cpu;
                best_name = b.name;
            }
        }
    }

    if (json) {
        nlohmann::json out;
        out["cpu_features"] = cpu_features().names();
        out["cpu"] = cpu_features().brand;
        out["results"] = nlohmann::json::array();
        for (const auto& r : results) {
            nlohmann::json j = {{"backend", r.backend}, {"era", era_name(r.era)}, {"threads", r.threads},
                                {"hashrate", r.hashrate}, {"hashes", r.hashes}, {"seconds", r.seconds}};
            if (!verify) {
                j["cpu_seconds"] = r.cpu_seconds;
                j["hashes_per_cpu_second"] = r.cpu_seconds > 0 ? static_cast<double>(r.hashes) / r.cpu_seconds : 0.0;
            }
            if (verify) j["mismatches"] = mismatches;
            out["results"].push_back(j);
        }
        out["skipped"] = nlohmann::json::array();
        for (const auto& s : skipped) out["skipped"].push_back({{"backend", s.backend}, {"reason", s.skipped}});
        if (bound.bound > 0) {
            out["shani_bound"] = {{"tsc_hz", bound.tsc_hz},
                                  {"tsc_cycles_per_compression_1_stream", bound.ticks_1},
                                  {"tsc_cycles_per_compression_4_streams", bound.ticks_4},
                                  {"bound_hashrate_per_core", bound.bound},
                                  {"best_backend", best_name},
                                  {"best_hashrate", best_single},
                                  {"best_hashes_per_cpu_second", best_single_cpu},
                                  {"best_fraction_of_bound", best_single_cpu / bound.bound}};
        }
        if (!calibration.empty()) {
            out["calibration"] = nlohmann::json::array();
            for (const auto& c : calibration)
                out["calibration"].push_back({{"backend", c.name}, {"usable", c.usable}, {"hashrate", c.hashrate}});
        }
        std::cout << out.dump(2) << "\n";
        return mismatches == 0 ? kExitOk : kExitFailure;
    }

    std::cout << "CPU: " << (cpu_features().brand.empty() ? "unknown" : cpu_features().brand) << "\nfeatures:";
    for (const auto& f : cpu_features().names()) std::cout << ' ' << f;
    std::cout << "\n";
    if (!calibration.empty()) {
        std::cout << "auto choice by measured calibration (1 thread, best of 3 turns, per CPU-second):";
        for (const auto& c : calibration)
            std::cout << ' ' << c.name << '=' << (c.usable ? rate_text(c.hashrate) : std::string("skipped"));
        std::cout << " -> " << backends.front().name << "\n";
    }
    std::cout << "\n";
    if (verify) {
        std::printf("%-10s %-10s %14s %10s  %s\n", "backend", "era", "nonces", "seconds", "result");
        for (const auto& r : results)
            std::printf("%-10s %-10s %14llu %10.2f  %s\n", r.backend.c_str(), std::string(era_name(r.era)).c_str(),
                        static_cast<unsigned long long>(r.hashes), r.seconds,
                        mismatches == 0 ? "same found set as the reference" : "MISMATCH");
    } else {
        // Ratio to scalar at the same thread count, when scalar ran too.
        auto scalar_at = [&](unsigned threads) {
            for (const auto& r : results)
                if (r.backend == "scalar" && r.threads == threads) return r.hashrate;
            return 0.0;
        };
        const bool have_scalar = scalar_at(thread_counts.front()) > 0;
        std::printf("%-10s %-10s %7s %14s %14s %8s %9s %14s %9s\n", "backend", "era", "threads", "hashrate", "hashes",
                    "seconds", have_scalar ? "x scalar" : "", "per CPU-second", "CPU used");
        for (const auto& r : results) {
            char ratio[32] = "";
            if (const double sc = scalar_at(r.threads); sc > 0) std::snprintf(ratio, sizeof ratio, "%.1fx", r.hashrate / sc);
            const double per_cpu = r.cpu_seconds > 0 ? static_cast<double>(r.hashes) / r.cpu_seconds : 0;
            std::printf("%-10s %-10s %7u %14s %14llu %8.2f %9s %14s %8.0f%%  measured\n", r.backend.c_str(),
                        std::string(era_name(r.era)).c_str(), r.threads, rate_text(r.hashrate).c_str(),
                        static_cast<unsigned long long>(r.hashes), r.seconds, ratio, rate_text(per_cpu).c_str(),
                        r.seconds > 0 ? 100 * r.cpu_seconds / r.seconds : 0.0);
        }
    }
    for (const auto& s : skipped)
        std::printf("%-10s %-10s %7s %14s  skipped: %s\n", s.backend.c_str(), std::string(era_name(s.era)).c_str(), "-", "-",
                    s.skipped.c_str());
    if (!verify && !results.empty())
        std::printf("\nhashrate: hashes / steady_clock seconds. per CPU-second: hashes / CPU time the process got\n"
                    "(getrusage); on a shared machine it shows the speed per core that the hashrate hides.\n"
                    "CPU used: 100%% = one core busy for the whole run.\n");
    if (bound.bound > 0) {
        std::printf("\nSHA-NI bound (measured micro-benchmark; cycles are TSC reference cycles, TSC rate %.3f GHz\n"
                    "measured against steady_clock; the core clock may differ, the bound does not depend on it):\n",
                    bound.tsc_hz / 1e9);
        std::printf("  one 64-round compression: %.1f cycles with 1 stream (latency), %.1f with 4 streams (throughput)\n",
                    bound.ticks_1, bound.ticks_4);
        std::printf("  bound = TSC rate / (2 x %.1f) = %s per core (a nonce is about 2 compressions)\n", bound.ticks_4,
                    rate_text(bound.bound).c_str());
        if (best_single_cpu > 0)
            std::printf("  best 1-thread result: %s at %s per CPU-second = %.0f%% of the bound (wall-clock %s)\n",
                        best_name.c_str(), rate_text(best_single_cpu).c_str(), 100 * best_single_cpu / bound.bound,
                        rate_text(best_single).c_str());
    }
    if (verify && mismatches > 0) {
        std::printf("\n%llu mismatching scans\n", static_cast<unsigned long long>(mismatches));
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace hf::cli
