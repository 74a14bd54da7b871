// The measurements of `hashforge bench`: hashrate runs through the real search engine, the
// --verify comparison against the portable reference, and the SHA-NI compression bound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/backends.hpp"

namespace hf::cli {

struct BenchResult {
    std::string backend;
    Era era = Era::Cpu;
    unsigned threads = 0;
    double hashrate = 0;
    std::uint64_t hashes = 0;
    double seconds = 0;
    double cpu_seconds = 0;  // CPU time the process used meanwhile (getrusage): the workers' share
    std::string skipped;  // non-empty: why it did not run

    double per_cpu_second() const { return cpu_seconds > 0 ? static_cast<double>(hashes) / cpu_seconds : 0; }
};

// Hashrate of `threads` engine workers on a synthetic job for `seconds`.
BenchResult run_one(const BackendInfo& b, unsigned threads, double seconds);
// --verify: the backend's exact found set against the reference, on random headers.
BenchResult verify_one(const BackendInfo& b, double seconds, std::uint64_t& mismatches);

// The SHA-NI bound: compression throughput by micro-benchmark (best of many short bursts, in TSC
// ticks; the TSC rate measured against steady_clock). A nonce costs about two compressions.
struct ShaniBound {
    double tsc_hz = 0;
    double ticks_1 = 0, ticks_4 = 0;  // per 64-round compression: 1 stream (latency), 4 (throughput)
    double bound = 0;                 // hashes per second per core
};
ShaniBound measure_shani_bound();

}  // namespace hf::cli
