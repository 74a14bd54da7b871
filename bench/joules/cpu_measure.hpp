// Runs one hashing backend (core/hash_backend.hpp) on N threads for a fixed wall time over a real
// header, counting the nonces it hashed, with RAPL sampled right before and after.
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

// `rapl` may be null (no measurement). Each thread gets its own backend instance from
// info.create() and scans disjoint nonce chunks of the Bitcoin genesis header (whose nonce range
// is thus real work, with the true difficulty-1 target).
BackendRun run_backend(const BackendInfo& info, unsigned threads, double seconds, RaplReader* rapl);

// The ScanWork of the Bitcoin genesis block header at difficulty 1 (a fixed, public header).
ScanWork genesis_scan_work();

}  // namespace hf::joules
