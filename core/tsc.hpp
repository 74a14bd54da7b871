// The x86 time-stamp counter, for cycle counts in micro-benchmarks. On every CPU this project
// targets the TSC is invariant: it ticks at a constant reference rate whatever the core clock
// does (turbo, power saving), so a TSC "cycle" is a reference cycle, not necessarily a core cycle.
// Its rate is measured here against std::chrono::steady_clock rather than trusted from CPUID.
#pragma once

#include <chrono>
#include <cstdint>

namespace hf {

// rdtsc (0 on a CPU without one).
std::uint64_t read_tsc();

// TSC ticks per second, measured over `interval` of steady_clock time.
double measure_tsc_hz(std::chrono::milliseconds interval = std::chrono::milliseconds(50));

// SHA-NI compression throughput: `streams` independent 64-round compressions kept in flight,
// `rounds` times each. Returns TSC ticks per compression (0 when SHA-NI is not available).
// streams = 1 measures latency (one dependency chain), 4 the instruction throughput bound.
double shani_tsc_per_compression(int streams, std::uint64_t rounds);

}  // namespace hf
