// What `hashforge bench` prints: one JSON object (--json) or the table with its notes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/bench_runs.hpp"
#include "core/backends.hpp"

namespace hf::cli {

struct BenchReport {
    bool verify = false;
    std::vector<BenchResult> results;
    std::vector<BenchResult> skipped;
    std::vector<CalibrationResult> calibration;  // how auto chose, when it did
    std::string auto_choice;
    std::uint64_t mismatches = 0;  // --verify: scans whose found set differs from the reference
    ShaniBound bound;              // bound.bound == 0: not measured
    // Best 1-thread result by hashes per CPU-second (wall-clock rate kept beside it).
    double best_single = 0, best_single_cpu = 0;
    std::string best_name;
};

void print_bench_json(const BenchReport& r);
void print_bench_table(const BenchReport& r);

}  // namespace hf::cli
