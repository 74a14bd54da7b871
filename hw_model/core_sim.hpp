// The hash core, run two ways from the same PipelineSpec:
//  - CycleCore: every register of every stage, every clock. Each clock computes the next register
//    set of every stage from the current ones with pure functions, then commits them all at once,
//    and (optionally) counts the flip-flops that toggled (popcount of old ^ new): the activity the
//    energy model charges for.
//  - FunctionalCore: a separate, faster implementation of the same core (one nonce after another,
//    no clocks; with a host midstate a hand-unrolled kernel). It is NOT derived from the register
//    map: tests/test_hw_core.cpp ("functional mode equals cycle mode on random jobs") holds it
//    equal to cycle mode, and the co-simulation holds cycle mode equal to the generated RTL.
// Both report exactly the nonces whose hash has `zero_bits` leading zero bits (Bitcoin reads the
// hash as a little-endian number, so those are the top bits of the last state word, H7).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <new>
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
    std::uint32_t mask7 = 0, mask6 = 0;  // the ticket mask: bits of byte-swapped H7 / H6 that must be zero
};
// The job registers' values in register-map order (scope Job), for the RTL's job bus.
std::vector<std::uint32_t> job_register_values(const PipelineSpec& spec, const PreparedJob& job, std::uint32_t first_nonce,
                                               std::uint64_t count);
PreparedJob prepare_job(const PipelineSpec& spec, const CoreJob& job);

// The comparator: does this lane's final state meet the floor? `h7` and `h6` are the final
// digest words H7 and H6 (H6 is only available without the final-round cut).
bool comparator_hit(std::uint32_t h7, std::uint32_t h6, bool have_h6, unsigned zero_bits);

// What a stage does in one pass of its loop: rounds [first, end) of its compression, after the
// compression's start (pass 0 of a stage that starts one).
struct StageStep {
    std::uint16_t first = 0, end = 0;
    bool starts = false;
    bool holds() const { return first >= end && !starts; }  // no rounds left: the register keeps its value
    bool one_round() const { return end == first + 1 && !starts; }
};

// Cycle mode: the registers of the spec's register map, every clock. Next state is computed from
// the current register set by pure stage functions, then committed at once. Every stage computes
// every clock, valid or not (no clock gating: the datapath is always busy), as the generated RTL
// does; co-simulation holds the two equal register by register.
// Storage (see docs/emulator.md): the stage registers live in a ring of rows, and a stage's next
// registers are written over its input row in stage order, which no stage before it has written in
// this clock; the toggles are counted against the stage's old row, which only the stage after it
// overwrites. So each stage still reads only current registers, and `value` finds a register's
// word through the ring.
class CycleCore {
public:
    // `vector_step` false keeps the portable stage step where the AVX-512 one would run (to test one
    // against the other).
    explicit CycleCore(const PipelineSpec& spec, bool count_activity = true, bool vector_step = true);

    // Loads a job: the pipeline is flushed (in-flight nonces dropped, as a chip does on a new job)
    // and the nonce counter starts at `first_nonce`; it issues `count` nonces, then bubbles.
    // In the RTL this is the `load` input during the next clock.
    void load_job(const CoreJob& job, std::uint32_t first_nonce, std::uint64_t count);
    void clock();

    // Outputs of the found register after the last clock.
    bool found() const { return reg(ctl_.found) != 0; }
    std::uint32_t found_nonce() const { return reg(ctl_.found_nonce); }
    unsigned found_lanes() const { return reg(ctl_.found_lanes); }

    std::uint64_t cycles() const { return cycles_; }
    std::uint64_t toggles() const { return toggles_; }  // flip-flop toggles so far (0 when not counting)
    std::uint64_t issued() const { return count_ - remaining(); }
    std::uint64_t remaining() const { return static_cast<std::uint64_t>(reg(ctl_.remaining_hi)) << 32 | reg(ctl_.remaining_lo); }
    bool drained() const;  // every nonce issued and out of the pipeline

    std::uint32_t nonce_counter() const { return reg(ctl_.counter); }
    unsigned phase() const { return reg(ctl_.pass); }
    bool stage_valid(unsigned stage) const { return row(stage)[spec_.registers.valid] != 0; }
    std::uint32_t stage_nonce(unsigned stage) const { return row(stage)[spec_.registers.nonce]; }
    // The value of a control or stage register of the map (by its offset).
    std::uint32_t value(const Register& r) const { return reg(r.offset); }
    const PipelineSpec& spec() const { return spec_; }
    const PreparedJob& job() const { return job_; }

private:
    struct ControlOffsets {
        unsigned counter, remaining_lo, remaining_hi, pass, found, found_nonce, found_lanes;
    };
    // A stage register set is one row of `row_words_` words (the map's stage block, padded to whole
    // 64-byte lines). The rows form a ring of stages + 1: when the stages load (pass 0) every stage's
    // next registers are computed in place over its input stage's row and the ring turns by one, so
    // a word a stage only passes on (nonce, valid, most of the window) is never copied. Control
    // registers stay in map order.
    template <class T>
    struct LineAllocator {  // 64-byte aligned storage: a row starts a cache line
        using value_type = T;
        LineAllocator() = default;
        template <class U>
        LineAllocator(const LineAllocator<U>&) {}
        T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
        void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
        bool operator==(const LineAllocator&) const { return true; }
    };
    using Lines = std::vector<std::uint32_t, LineAllocator<std::uint32_t>>;
    static constexpr std::size_t kControlWords = 8;  // the map's control block
    const std::uint32_t& reg(std::size_t offset) const;  // the word of a control or stage register, by map offset
    std::uint32_t& word(std::size_t offset);
    std::uint32_t* row(std::size_t stage) { return rows_.data() + (head_ + stage) % ring_ * row_words_; }
    const std::uint32_t* row(std::size_t stage) const { return rows_.data() + (head_ + stage) % ring_ * row_words_; }

    PipelineSpec spec_;
    ControlOffsets ctl_;
    PreparedJob job_;
    bool count_activity_;
    bool vector_path_ = false;                 // the AVX-512 stage step (one round per stage, one lane)
    std::array<std::uint32_t, kControlWords> control_{};       // control registers, map order
    std::array<std::uint32_t, kControlWords> control_mask_{};  // their flip-flop bits
    Lines rows_;   // the ring of stage rows
    Lines masks_;  // per stage (map order) a row of its flip-flop bits
    std::vector<StageStep> steps_;  // per pass, per stage
    std::size_t row_words_ = 0, ring_ = 0, head_ = 0;  // head_: the row of stage 0
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
