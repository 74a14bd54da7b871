#include "cli/bench_runs.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include <sys/resource.h>

#include "core/search_engine.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"
#include "core/tsc.hpp"

namespace hf::cli {
namespace {

double process_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
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

}  // namespace

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

}  // namespace hf::cli
