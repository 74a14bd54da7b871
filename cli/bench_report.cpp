#include "cli/bench_report.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/cpu_features.hpp"
#include "core/si_units.hpp"

namespace hf::cli {
namespace {

nlohmann::json result_json(const BenchResult& r, const BenchReport& report) {
    nlohmann::json j = {{"backend", r.backend}, {"era", era_name(r.era)}, {"threads", r.threads},
                        {"hashrate", r.hashrate}, {"hashes", r.hashes}, {"seconds", r.seconds}};
    if (!report.verify) {
        j["cpu_seconds"] = r.cpu_seconds;
        j["hashes_per_cpu_second"] = r.per_cpu_second();
    }
    if (report.verify) j["mismatches"] = report.mismatches;
    return j;
}

void print_cpu_and_choice(const BenchReport& r) {
    std::cout << "CPU: " << (cpu_features().brand.empty() ? "unknown" : cpu_features().brand) << "\nfeatures:";
    for (const auto& f : cpu_features().names()) std::cout << ' ' << f;
    std::cout << "\n";
    if (!r.calibration.empty()) {
        std::cout << "auto choice by measured calibration (1 thread, best of 3 turns, per CPU-second):";
        for (const auto& c : r.calibration)
            std::cout << ' ' << c.name << '=' << (c.usable ? hashrate_text(c.hashrate) : std::string("skipped"));
        std::cout << " -> " << r.auto_choice << "\n";
    }
    std::cout << "\n";
}

void print_verify_rows(const BenchReport& r) {
    std::printf("%-14s %-10s %14s %10s  %s\n", "backend", "era", "nonces", "seconds", "result");
    for (const auto& x : r.results)
        std::printf("%-14s %-10s %14llu %10.2f  %s\n", x.backend.c_str(), std::string(era_name(x.era)).c_str(),
                    static_cast<unsigned long long>(x.hashes), x.seconds,
                    r.mismatches == 0 ? "same found set as the reference" : "MISMATCH");
}

void print_speed_rows(const BenchReport& r) {
    // Ratio to scalar at the same thread count, when scalar ran too.
    auto scalar_at = [&](unsigned threads) {
        for (const auto& x : r.results)
            if (x.backend == "scalar" && x.threads == threads) return x.hashrate;
        return 0.0;
    };
    const bool have_scalar = !r.results.empty() && scalar_at(r.results.front().threads) > 0;
    std::printf("%-14s %-10s %7s %14s %14s %8s %9s %14s %9s\n", "backend", "era", "threads", "hashrate", "hashes",
                "seconds", have_scalar ? "x scalar" : "", "per CPU-second", "CPU used");
    for (const auto& x : r.results) {
        char ratio[32] = "";
        if (const double sc = scalar_at(x.threads); sc > 0) std::snprintf(ratio, sizeof ratio, "%.1fx", x.hashrate / sc);
        std::printf("%-14s %-10s %7u %14s %14llu %8.2f %9s %14s %8.0f%%  measured\n", x.backend.c_str(),
                    std::string(era_name(x.era)).c_str(), x.threads, hashrate_text(x.hashrate).c_str(),
                    static_cast<unsigned long long>(x.hashes), x.seconds, ratio, hashrate_text(x.per_cpu_second()).c_str(),
                    x.seconds > 0 ? 100 * x.cpu_seconds / x.seconds : 0.0);
    }
}

void print_shani_bound(const BenchReport& r) {
    const ShaniBound& b = r.bound;
    std::printf("\nSHA-NI bound (measured micro-benchmark; cycles are TSC reference cycles, TSC rate %.3f GHz\n"
                "measured against steady_clock; the core clock may differ, the bound does not depend on it):\n",
                b.tsc_hz / 1e9);
    std::printf("  one 64-round compression: %.1f cycles with 1 stream (latency), %.1f with 4 streams (throughput)\n",
                b.ticks_1, b.ticks_4);
    std::printf("  bound = TSC rate / (2 x %.1f) = %s per core (a nonce is about 2 compressions)\n", b.ticks_4,
                hashrate_text(b.bound).c_str());
    if (r.best_single_cpu > 0)
        std::printf("  best 1-thread result: %s at %s per CPU-second = %.0f%% of the bound (wall-clock %s)\n",
                    r.best_name.c_str(), hashrate_text(r.best_single_cpu).c_str(), 100 * r.best_single_cpu / b.bound,
                    hashrate_text(r.best_single).c_str());
}

}  // namespace

void print_bench_json(const BenchReport& r) {
    nlohmann::json out;
    out["cpu_features"] = cpu_features().names();
    out["cpu"] = cpu_features().brand;
    out["results"] = nlohmann::json::array();
    for (const auto& x : r.results) out["results"].push_back(result_json(x, r));
    out["skipped"] = nlohmann::json::array();
    for (const auto& s : r.skipped) out["skipped"].push_back({{"backend", s.backend}, {"reason", s.skipped}});
    if (r.bound.bound > 0) {
        out["shani_bound"] = {{"tsc_hz", r.bound.tsc_hz},
                              {"tsc_cycles_per_compression_1_stream", r.bound.ticks_1},
                              {"tsc_cycles_per_compression_4_streams", r.bound.ticks_4},
                              {"bound_hashrate_per_core", r.bound.bound},
                              {"best_backend", r.best_name},
                              {"best_hashrate", r.best_single},
                              {"best_hashes_per_cpu_second", r.best_single_cpu},
                              {"best_fraction_of_bound", r.best_single_cpu / r.bound.bound}};
    }
    if (!r.calibration.empty()) {
        out["calibration"] = nlohmann::json::array();
        for (const auto& c : r.calibration)
            out["calibration"].push_back({{"backend", c.name}, {"usable", c.usable}, {"hashrate", c.hashrate}});
    }
    std::cout << out.dump(2) << "\n";
}

void print_bench_table(const BenchReport& r) {
    print_cpu_and_choice(r);
    if (r.verify) print_verify_rows(r);
    else print_speed_rows(r);
    for (const auto& s : r.skipped)
        std::printf("%-14s %-10s %7s %14s  skipped: %s\n", s.backend.c_str(), std::string(era_name(s.era)).c_str(), "-",
                    "-", s.skipped.c_str());
    if (!r.verify && !r.results.empty())
        std::printf("\nhashrate: hashes / steady_clock seconds. per CPU-second: hashes / CPU time the process got\n"
                    "(getrusage); on a shared machine it shows the speed per core that the hashrate hides.\n"
                    "CPU used: 100%% = one core busy for the whole run.\n");
    if (r.bound.bound > 0) print_shani_bound(r);
    if (r.verify && r.mismatches > 0)
        std::printf("\n%llu mismatching scans\n", static_cast<unsigned long long>(r.mismatches));
}

}  // namespace hf::cli
