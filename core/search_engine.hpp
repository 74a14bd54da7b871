// The nonce-search engine: keeps every worker thread busy on the current job, rolls extranonce2
// (and version bits where the pool allows) so it never runs dry or hashes a header twice, re-hashes
// every candidate on the host, and counts hashes for hashrate.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash_backend.hpp"
#include "core/work.hpp"

namespace hf {

// A job as the session hands it to the engine: the pool's job plus the session's parameters.
struct EngineJob {
    MiningJob job;
    std::vector<std::uint8_t> extranonce1;
    std::size_t extranonce2_size = 4;
    double difficulty = 1.0;         // share difficulty in force for this job
    std::uint32_t version_mask = 0;  // BIP 310 mask granted by the pool; 0 = no version rolling
};

// A share the engine found and re-verified on the host with the reference SHA-256.
struct FoundShare {
    std::string job_id;
    std::vector<std::uint8_t> extranonce2;
    std::uint32_t ntime = 0;
    std::uint32_t nonce = 0;
    std::uint32_t version = 0;       // the full rolled version in the header
    std::uint32_t version_bits = 0;  // version & mask: the sixth mining.submit parameter
    Hash256 hash{};
    double share_difficulty = 0;     // the hash's own difficulty
    double target_difficulty = 0;    // the difficulty it was found under
    std::uint64_t job_generation = 0;  // which set_job() it belongs to
    // True when a clean_jobs job arrived after this share's job: the pool will reject it as stale,
    // but it is reported all the same (counted, logged), never silently dropped.
    bool stale = false;
};

struct HashrateSnapshot {
    double rate_5s = 0, rate_1m = 0, rate_15m = 0, rate_total = 0;  // hashes per second
    std::uint64_t total_hashes = 0;
    double seconds = 0;
    std::uint64_t hardware_errors = 0;  // candidates that failed host re-verification
    std::uint64_t shares = 0;           // shares passed to on_share (stale ones included)
    std::uint64_t stale_shares = 0;
    std::uint64_t backend_errors = 0;    // a worker's backend threw; the worker remade it after a pause
    std::string last_backend_error;     // what the latest one said ("" when none)
    unsigned threads = 0;
    // Measured: from the latest set_job/set_difficulty call until the last worker was hashing it.
    double last_job_switch_ms = 0;
};

struct EngineConfig {
    unsigned threads = 0;  // 0: one per core
    BackendInfo backend;
    std::function<void(const FoundShare&)> on_share;  // called from a worker thread
    // Called from a worker thread when its backend throws (the worker pauses, then remakes it).
    std::function<void(const std::string&)> on_backend_error = nullptr;
};

class SearchEngine {
public:
    explicit SearchEngine(EngineConfig config);
    ~SearchEngine();  // stops and joins the workers
    SearchEngine(const SearchEngine&) = delete;
    SearchEngine& operator=(const SearchEngine&) = delete;

    // Starts work on `job`, reaching every worker within 10 ms. Returns its generation number.
    // Work from earlier jobs stops when job.job.clean_jobs is set; otherwise it is replaced too
    // (a miner always works on the newest job) but shares already found for it stay valid.
    std::uint64_t set_job(EngineJob job);
    // The pool changed the share difficulty (mining.set_difficulty): the current job continues at
    // the new target (no header is hashed twice), reaching every worker within 10 ms. Without a
    // current job it does nothing (the difficulty travels with the next set_job's EngineJob).
    // Returns the generation number in force.
    std::uint64_t set_difficulty(double difficulty);
    // Stops hashing (no job) until the next set_job.
    void pause();
    unsigned threads() const;
    std::string_view backend_name() const;
    HashrateSnapshot hashrate() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hf
