// Runs one hashing backend (core/hash_backend.hpp) on N threads for a fixed wall time, counting
// the nonces it hashed, with RAPL sampled right before and after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/joules/rapl.hpp"
#include "core/hash_backend.hpp"

namespace hf::joules {

struct BackendRun {
    std::uint64_t hashes = 0;
    double seconds = 0;
    std::optional<RaplEnergy> energy;  // when RAPL was available and readable both times
    std::string rapl_note;             // why energy is missing, if it is
    double hashrate() const { return seconds > 0 ? static_cast<double>(hashes) / seconds : 0; }
};

// `rapl` may be null (no measurement). The hashing is core's measure_backend on `threads` threads
// (each its own instance from info.create(), disjoint nonces), RAPL sampled around it.
BackendRun run_backend(const BackendInfo& info, unsigned threads, double seconds, RaplReader* rapl);

}  // namespace hf::joules
