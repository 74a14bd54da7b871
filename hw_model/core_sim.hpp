// The hash core, run two ways from the same PipelineSpec:
//  - CycleCore: every register of every stage, every clock. Each clock computes the next register
//    set of every stage from the current ones with pure functions, then commits them all at once,
//    and (optionally) counts the flip-flops that toggled (popcount of old ^ new): the activity the
//    energy model charges for.
//  - FunctionalCore: the same stage functions applied to one nonce after another, no clocks.
// Both report exactly the nonces whose hash has `zero_bits` leading zero bits (Bitcoin reads the
// hash as a little-endian number, so those are the top bits of the last state word, H7).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/block_header.hpp"
#include "core/sha256.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {

// One job as the core sees it (what the chip's job registers hold).
struct CoreJob {
    std::vector<sha256::State> midstates;             // one per lane (version-rolled header)
    std::vector<std::array<std::uint32_t, 16>> block1;  // header bytes 0..63 as big-endian words, per lane
                                                      // (only read without a host midstate)
    std::array<std::uint32_t, 3> tail{};              // header bytes 64..75: merkle tail, ntime, nbits (W0..W2)
    unsigned zero_bits = 32;  // the comparator's floor: leading zero bits of the hash, 0..64
                              // (32 = difficulty 1; beyond 32 needs H6, i.e. no final-round cut)
};

// A job for `versions.size()` lanes from one header (its version field replaced per lane).
CoreJob core_job_from_header(const HeaderBytes& header, std::span<const std::uint32_t> versions, unsigned zero_bits);

struct CoreHit {
    std::uint32_t nonce = 0;
    unsigned lane = 0;
};

// What the core precomputes when a job arrives (the per-job hardware).
struct PreparedJob {
    std::vector<sha256::State> chain;         // chaining value into block 2 (the midstate) per lane
    std::vector<sha256::State> block2_start;  // state before block 2's first pipelined round, per lane
    std::array<std::uint32_t, 16> block2_words{};  // block 2 window at its first pipelined round, W3 (nonce) = 0
    std::array<std::uint32_t, 3> tail{};           // W0..W2
    std::vector<std::array<std::uint32_t, 16>> block1;
    unsigned zero_bits = 32;
};
PreparedJob prepare_job(const PipelineSpec& spec, const CoreJob& job);

// The comparator: does this lane's final state meet the floor? `h7` and `h6` are the final
// digest words H7 and H6 (H6 is only available without the final-round cut).
bool comparator_hit(std::uint32_t h7, std::uint32_t h6, bool have_h6, unsigned zero_bits);

class CycleCore {
public:
    explicit CycleCore(const PipelineSpec& spec, bool count_activity = true);

    // Loads a job: the pipeline is flushed (in-flight nonces dropped, as a chip does on a new job)
    // and the nonce counter starts at `first_nonce`; it issues `count` nonces, then bubbles.
    void load_job(const CoreJob& job, std::uint32_t first_nonce, std::uint64_t count);
    void clock();

    // Outputs of the found register after the last clock.
    bool found() const { return regs()[kFound] != 0; }
    std::uint32_t found_nonce() const { return regs()[kFoundNonce]; }
    unsigned found_lanes() const { return regs()[kFoundLanes]; }

    std::uint64_t cycles() const { return cycles_; }
    std::uint64_t toggles() const { return toggles_; }  // flip-flop toggles so far (0 when not counting)
    std::uint64_t issued() const { return count_ - remaining(); }
    std::uint64_t remaining() const { return static_cast<std::uint64_t>(regs()[kRemainingHi]) << 32 | regs()[kRemainingLo]; }
    bool drained() const;  // every nonce issued and out of the pipeline

    std::uint32_t nonce_counter() const { return regs()[kCounter]; }
    unsigned phase() const { return regs()[kPhase]; }
    // A stage's output register: [0] valid, [1] nonce, then state words (lane-major), then window words.
    std::span<const std::uint32_t> stage_registers(unsigned stage) const;
    std::size_t stride() const { return stride_; }
    const PipelineSpec& spec() const { return spec_; }

private:
    enum : unsigned { kCounter, kRemainingLo, kRemainingHi, kPhase, kFound, kFoundNonce, kFoundLanes, kControlWords = 8 };
    const std::uint32_t* regs() const { return bank_[active_].data(); }
    template <unsigned Lanes, bool ChainWords>
    void clock_lanes();  // clock() for a register layout known at compile time

    PipelineSpec spec_;
    PreparedJob job_;
    bool count_activity_;
    std::size_t stride_;
    std::array<std::vector<std::uint32_t>, 2> bank_;  // current and next register sets
    unsigned active_ = 0;
    std::vector<std::uint32_t> feeder_;
    std::uint64_t count_ = 0, cycles_ = 0, toggles_ = 0;
};

class FunctionalCore {
public:
    explicit FunctionalCore(const PipelineSpec& spec) : spec_(spec) {}
    void load_job(const CoreJob& job);
    // Hashes nonces [first, first + count), appending hits.
    void scan(std::uint32_t first, std::uint64_t count, std::vector<CoreHit>& hits);

private:
    PipelineSpec spec_;
    PreparedJob job_;
};

}  // namespace hf::hw
