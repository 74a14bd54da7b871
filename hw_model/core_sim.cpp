#include "hw_model/core_sim.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <immintrin.h>

#include "core/cpu_features.hpp"
#include "core/sha256_rounds.hpp"

// The functional path unrolls its 64-round loops (constant schedule indices, folded padding words);
// sanitizer builds keep the loops (instrumenting the unrolled code takes minutes to compile).
#if defined(__SANITIZE_ADDRESS__)
#define HF_UNROLL_ROUNDS _Pragma("GCC unroll 1")
#else
#define HF_UNROLL_ROUNDS _Pragma("GCC unroll 64")
#endif

namespace hf::hw {
namespace {

using sha256::State;

// Stage register layout (32-bit words), taken from the spec's register map: valid, nonce, lane
// states (8 per lane), message windows (16 per lane; block 2's lanes share window 0), and, only
// without a host midstate, the lanes' chaining values (8 per lane) that travel with the nonce to
// the second hash's feed-forward. A window is addressed by round number mod 16: W[t] sits in word
// t & 15 (one word is rewritten per round, as in an addressable schedule register file). Words
// past W63 are never produced; their registers are modeled as constant zero.
struct Layout {
    unsigned lanes;
    bool chain_words;
    unsigned valid, nonce, state0, window0, chain0, words;
    std::size_t state(unsigned lane) const { return state0 + 8 * lane; }
    std::size_t window(unsigned lane) const { return window0 + 16 * lane; }
    std::size_t chain(unsigned lane) const { return chain0 + 8 * lane; }
    std::size_t stride() const { return words; }
};
Layout layout_of(const PipelineSpec& spec) {
    const RegisterMap& r = spec.registers;
    return {spec.lanes, r.has_chain, r.valid, r.nonce, r.state0, r.window0, r.chain0, r.stage_words};
}

template <unsigned T>
inline void one_round(State& v, std::uint32_t* w) {
    sha256::round(v, sha256::kRoundConstants[T] + w[T & 15]);
    if constexpr (T + 16 <= 63) w[T & 15] = sha256::schedule_word(w[(T + 14) & 15], w[(T + 9) & 15], w[(T + 1) & 15], w[T & 15]);
}
template <unsigned First, unsigned... I>
inline void rounds_fixed(State& v, std::uint32_t* w, std::integer_sequence<unsigned, I...>) {
    (one_round<First + I>(v, w), ...);
}

// Rounds [first, last] of one compression on state `v` with the window `w`; the schedule word
// W[t+16] is produced in the round that consumes W[t]. With `schedule` false the window is shared
// with another lane that already advances it (version-rolling lanes share block 2's schedule).
inline void run_rounds(State& v, std::uint32_t* w, unsigned first, unsigned last, bool schedule) {
#if !defined(__SANITIZE_ADDRESS__)
    if (schedule) {
        // The whole-compression ranges of the functional model, unrolled.
        if (first == 0 && last == 63) return rounds_fixed<0>(v, w, std::make_integer_sequence<unsigned, 64>{});
        if (first == 3 && last == 63) return rounds_fixed<3>(v, w, std::make_integer_sequence<unsigned, 61>{});
        if (first == 0 && last == 60) return rounds_fixed<0>(v, w, std::make_integer_sequence<unsigned, 61>{});
    }
#endif
    for (unsigned t = first; t <= last; ++t) {
        sha256::round(v, sha256::kRoundConstants[t] + w[t & 15]);
        if (schedule && t + 16 <= 63)
            w[t & 15] = sha256::schedule_word(w[(t + 14) & 15], w[(t + 9) & 15], w[(t + 1) & 15], w[t & 15]);
    }
}

// A shared window cannot be advanced while a later lane still needs the old words, so shared
// lanes run round by round: every lane does round t, then the schedule advances once.
inline void run_rounds_shared(std::uint32_t* regs, const Layout& L, unsigned first, unsigned last) {
    std::uint32_t* w = regs + L.window(0);
    for (unsigned t = first; t <= last; ++t) {
        const std::uint32_t kw = sha256::kRoundConstants[t] + w[t & 15];
        for (unsigned m = 0; m < L.lanes; ++m) {
            State v;
            std::memcpy(v.data(), regs + L.state(m), 32);
            sha256::round(v, kw);
            std::memcpy(regs + L.state(m), v.data(), 32);
        }
        if (t + 16 <= 63) w[t & 15] = sha256::schedule_word(w[(t + 14) & 15], w[(t + 9) & 15], w[(t + 1) & 15], w[t & 15]);
    }
}

// Initialises a compression's input from the previous one (or from the job): the wiring and the
// feed-forward adders at the head of a compression's first stage.
void start_compression(Compression c, const PipelineSpec& spec, const PreparedJob& job, std::uint32_t* regs, const Layout& L) {
    switch (c) {
        case Compression::Block1:
            for (unsigned m = 0; m < L.lanes; ++m) {
                std::memcpy(regs + L.state(m), sha256::kInitialState.data(), 32);
                std::memcpy(regs + L.window(m), job.block1[m].data(), 64);
            }
            break;
        case Compression::Block2: {
            std::uint32_t* w = regs + L.window(0);
            for (unsigned m = 0; m < L.lanes; ++m) {
                if (spec.config.midstate_from_host) {
                    std::memcpy(regs + L.state(m), job.block2_start[m].data(), 32);
                } else {
                    for (unsigned i = 0; i < 8; ++i) regs[L.chain(m) + i] = sha256::kInitialState[i] + regs[L.state(m) + i];
                    std::memcpy(regs + L.state(m), regs + L.chain(m), 32);
                }
            }
            const std::uint32_t nonce = regs[L.nonce];
            std::memcpy(w, job.block2_words.data(), 64);
            w[3] = __builtin_bswap32(nonce);  // the nonce sits little-endian in the header; W3 reads it big-endian
            // With the per-job precompute the window arrives advanced past the skipped rounds: W16
            // and W17 are job words, but W18 = sigma1(W16) + W11 + sigma0(W3) + W2 needs the nonce.
            for (unsigned t = 2; t < spec.block2_first_round; ++t)
                w[t & 15] = sha256::schedule_word(w[(t + 14) & 15], w[(t + 9) & 15], w[(t + 1) & 15], job.tail[t]);
            break;
        }
        case Compression::Hash2:
            for (unsigned m = 0; m < L.lanes; ++m) {
                const std::uint32_t* chain = spec.config.midstate_from_host ? job.chain[m].data() : regs + L.chain(m);
                std::uint32_t* w = regs + L.window(m);
                for (unsigned i = 0; i < 8; ++i) w[i] = chain[i] + regs[L.state(m) + i];
                w[8] = 0x80000000u;
                for (unsigned i = 9; i < 15; ++i) w[i] = 0;
                w[15] = 256;
                std::memcpy(regs + L.state(m), sha256::kInitialState.data(), 32);
            }
            break;
    }
}

// Rounds [first, last] of compression `c` for every lane, in place.
void compute_rounds(Compression c, std::uint32_t* regs, const Layout& L, unsigned first, unsigned last) {
    if (c == Compression::Block2 && L.lanes > 1) return run_rounds_shared(regs, L, first, last);
    for (unsigned m = 0; m < L.lanes; ++m) {
        State v;
        std::memcpy(v.data(), regs + L.state(m), 32);
        run_rounds(v, regs + L.window(c == Compression::Block2 ? 0 : m), first, last, true);
        std::memcpy(regs + L.state(m), v.data(), 32);
    }
}

// Returns a bit per lane whose final state meets the floor.
unsigned compare_lanes(const PipelineSpec& spec, const std::uint32_t* regs, const Layout& L, unsigned zero_bits) {
    unsigned hits = 0;
    const bool cut = spec.config.cut_final_rounds;
    for (unsigned m = 0; m < L.lanes; ++m) {
        const std::uint32_t* v = regs + L.state(m);
        // After round 60, e holds what becomes h after round 63: H7 is known three rounds early.
        const std::uint32_t h7 = (cut ? v[4] : v[7]) + sha256::kInitialState[7];
        const std::uint32_t h6 = cut ? 0 : v[6] + sha256::kInitialState[6];
        if (comparator_hit(h7, h6, !cut, zero_bits)) hits |= 1u << m;
    }
    return hits;
}

// gcc picks the POPCNT version at load time where the CPU has it. Not under ThreadSanitizer: the
// ifunc resolver runs before the TSan runtime is set up and crashes the program at start-up.
#if defined(__SANITIZE_THREAD__)
#define HF_POPCNT_CLONES
#else
#define HF_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#endif
HF_POPCNT_CLONES std::uint64_t count_toggles(const std::uint32_t* a, const std::uint32_t* b,
                                             const std::uint32_t* mask, std::size_t n) {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += static_cast<unsigned>(std::popcount((a[i] ^ b[i]) & mask[i]));
    return total;
}

// The functional model's per-nonce path for a core with a host midstate: the same rounds, the
// same per-job precompute, hard-wired padding words written as constants so the compiler folds
// them as the silicon does, and the second hash stopped at the spec's last round. Returns one bit
// per midstate lane whose comparator fires.
template <unsigned First2, unsigned Last2>
unsigned hash_nonce(const PreparedJob& job, unsigned lanes, std::uint32_t nonce) {
    std::array<std::uint32_t, 64> w;
    w[0] = job.tail[0];
    w[1] = job.tail[1];
    w[2] = job.tail[2];
    w[3] = __builtin_bswap32(nonce);
    w[4] = 0x80000000u;
#pragma GCC unroll 16
    for (unsigned t = 5; t < 15; ++t) w[t] = 0;
    w[15] = 640;
    if constexpr (First2 == 3) {  // W16 and W17 come from the per-job precompute
        w[16] = job.block2_words[0];
        w[17] = job.block2_words[1];
    }
    constexpr unsigned from = First2 == 3 ? 18 : 16;
HF_UNROLL_ROUNDS
    for (unsigned t = from; t < 64; ++t) w[t] = sha256::schedule_word(w[t - 2], w[t - 7], w[t - 15], w[t - 16]);
    unsigned hits = 0;
    for (unsigned m = 0; m < lanes; ++m) {
        State v = job.block2_start[m];
HF_UNROLL_ROUNDS
        for (unsigned t = First2; t < 64; ++t) sha256::round(v, sha256::kRoundConstants[t] + w[t]);
        std::array<std::uint32_t, 64> x;
#pragma GCC unroll 8
        for (unsigned i = 0; i < 8; ++i) x[i] = job.chain[m][i] + v[i];
        x[8] = 0x80000000u;
#pragma GCC unroll 8
        for (unsigned t = 9; t < 15; ++t) x[t] = 0;
        x[15] = 256;
        State s = sha256::kInitialState;
HF_UNROLL_ROUNDS
        for (unsigned t = 16; t <= Last2; ++t) x[t] = sha256::schedule_word(x[t - 2], x[t - 7], x[t - 15], x[t - 16]);
HF_UNROLL_ROUNDS
        for (unsigned t = 0; t <= Last2; ++t) sha256::round(s, sha256::kRoundConstants[t] + x[t]);
        const std::uint32_t h7 = (Last2 == 60 ? s[4] : s[7]) + sha256::kInitialState[7];
        const std::uint32_t h6 = Last2 == 60 ? 0 : s[6] + sha256::kInitialState[6];
        if (comparator_hit(h7, h6, Last2 != 60, job.zero_bits)) hits |= 1u << m;
    }
    return hits;
}

}  // namespace

bool comparator_hit(std::uint32_t h7, std::uint32_t h6, bool have_h6, unsigned zero_bits) {
    // The hash's most significant 32 bits (as a little-endian number) are H7's bytes reversed.
    const std::uint32_t top = __builtin_bswap32(h7);
    if (zero_bits == 0) return true;
    if (zero_bits <= 32) return (top >> (32 - zero_bits)) == 0;
    if (top != 0) return false;
    if (!have_h6) return true;  // a candidate: the host checks the rest
    const unsigned more = std::min(zero_bits - 32, 32u);
    return (__builtin_bswap32(h6) >> (32 - more)) == 0;
}

CoreJob core_job_from_header(const HeaderBytes& header, std::span<const std::uint32_t> versions, unsigned zero_bits) {
    CoreJob job;
    job.zero_bits = zero_bits;
    for (std::uint32_t version : versions) {
        HeaderBytes h = header;
        sha256::store_le32(h.data(), version);
        job.midstates.push_back(header_midstate(h));
        std::array<std::uint32_t, 16> words{};
        for (unsigned i = 0; i < 16; ++i) words[i] = sha256::load_be32(h.data() + 4 * i);
        job.block1.push_back(words);
    }
    for (unsigned i = 0; i < 3; ++i) job.tail[i] = sha256::load_be32(header.data() + 64 + 4 * i);
    return job;
}

PreparedJob prepare_job(const PipelineSpec& spec, const CoreJob& job) {
    const unsigned lanes = spec.lanes;
    if (job.midstates.size() != lanes) throw std::invalid_argument("job has " + std::to_string(job.midstates.size()) +
                                                                    " midstates; the core has " + std::to_string(lanes) + " lanes");
    if (!spec.config.midstate_from_host && job.block1.size() != lanes)
        throw std::invalid_argument("a core without host midstates needs the header's first block for every lane");
    if (job.zero_bits > 64) throw std::invalid_argument("comparator floor must be 0..64 leading zero bits");
    PreparedJob p;
    p.zero_bits = job.zero_bits;
    // The same floor as a mask over the byte-swapped H7 (and H6): what the RTL's comparator ANDs.
    auto top_bits = [](unsigned n) { return n == 0 ? 0u : n >= 32 ? ~0u : ~0u << (32 - n); };
    p.mask7 = top_bits(std::min(job.zero_bits, 32u));
    p.mask6 = job.zero_bits > 32 ? top_bits(job.zero_bits - 32) : 0u;
    p.chain = job.midstates;
    p.tail = job.tail;
    p.block1 = job.block1;
    p.block2_words = {job.tail[0], job.tail[1], job.tail[2], 0, 0x80000000u, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 640};
    // The per-job precompute: rounds before the nonce word need only job data.
    for (unsigned m = 0; m < lanes; ++m) {
        State v = job.midstates[m];
        std::array<std::uint32_t, 16> w = p.block2_words;
        if (spec.block2_first_round > 0) run_rounds(v, w.data(), 0, spec.block2_first_round - 1, false);
        p.block2_start.push_back(v);
    }
    // The schedule words those rounds produce (W16, W17; W18 is completed per nonce).
    std::array<std::uint32_t, 16>& w = p.block2_words;
    for (unsigned t = 0; t < spec.block2_first_round; ++t)
        w[t & 15] = sha256::schedule_word(w[(t + 14) & 15], w[(t + 9) & 15], w[(t + 1) & 15], w[t & 15]);
    return p;
}

std::vector<std::uint32_t> job_register_values(const PipelineSpec& spec, const PreparedJob& job, std::uint32_t first_nonce,
                                               std::uint64_t count) {
    // Map order: tail0..2, W16, W17, per lane (midstate, start) or the first block, mask7, mask6,
    // first nonce, count (see build_register_map).
    std::vector<std::uint32_t> v = {job.tail[0], job.tail[1], job.tail[2], job.block2_words[0], job.block2_words[1]};
    for (unsigned m = 0; m < spec.lanes; ++m) {
        if (spec.config.midstate_from_host) {
            v.insert(v.end(), job.chain[m].begin(), job.chain[m].end());
            v.insert(v.end(), job.block2_start[m].begin(), job.block2_start[m].end());
        } else {
            v.insert(v.end(), job.block1[m].begin(), job.block1[m].end());
        }
    }
    v.insert(v.end(), {job.mask7, job.mask6, first_nonce, static_cast<std::uint32_t>(count), static_cast<std::uint32_t>(count >> 32)});
    return v;
}

// ---- cycle mode -------------------------------------------------------------------------------

namespace {

// One stage's clock, in place: `regs` holds the stage's input registers (the previous stage's at
// pass 0, its own otherwise) and receives its next ones: the compression's start when `starts`,
// then rounds [first, end). Words the stage only passes on are left where they are.
template <unsigned Lanes>
void stage_next(const PipelineSpec& spec, const PipelineStage& st, const PreparedJob& job, const Layout& L, std::uint32_t* regs,
                unsigned first, unsigned end, bool starts) {
    if (starts) start_compression(st.compression, spec, job, regs, L);
    // Round t for every lane, then each schedule advances once (block 2's lanes share one).
    const bool shared = st.compression == Compression::Block2;
    const unsigned windows = shared ? 1 : Lanes;
    if (end == first + 1) {
        // One round this clock (the unrolled pipeline): the window changes in one word only.
        const unsigned t = first;
        for (unsigned m = 0; m < Lanes; ++m) {
            State v;
            std::memcpy(v.data(), regs + L.state(m), 32);
            sha256::round(v, sha256::kRoundConstants[t] + regs[L.window(shared ? 0 : m) + (t & 15)]);
            std::memcpy(regs + L.state(m), v.data(), 32);
        }
        for (unsigned m = 0; m < windows; ++m) {
            std::uint32_t* w = regs + L.window(m);  // W[t+16], or, past W63, nothing: the consumed word's register does not exist
            w[t & 15] = t + 16 <= 63 ? sha256::schedule_word(w[(t + 14) & 15], w[(t + 9) & 15], w[(t + 1) & 15], w[t & 15]) : 0;
        }
        return;
    }
    // Several rounds: compute in locals, then write the registers once (reading back freshly
    // stored words would stall the CPU's store forwarding).
    State v[Lanes];
    std::uint32_t w[Lanes][16];
    for (unsigned m = 0; m < Lanes; ++m) std::memcpy(v[m].data(), regs + L.state(m), 32);
    for (unsigned m = 0; m < windows; ++m) std::memcpy(w[m], regs + L.window(m), 64);
    for (unsigned t = first; t < end; ++t) {
        for (unsigned m = 0; m < Lanes; ++m) sha256::round(v[m], sha256::kRoundConstants[t] + w[shared ? 0 : m][t & 15]);
        for (unsigned m = 0; m < windows; ++m)
            w[m][t & 15] = t + 16 <= 63 ? sha256::schedule_word(w[m][(t + 14) & 15], w[m][(t + 9) & 15], w[m][(t + 1) & 15], w[m][t & 15])
                                        : 0;  // past W63 the consumed word's register does not exist
    }
    for (unsigned m = 0; m < Lanes; ++m) std::memcpy(regs + L.state(m), v[m].data(), 32);
    for (unsigned m = 0; m < windows; ++m) std::memcpy(regs + L.window(m), w[m], 64);
}

StageStep stage_step(const PipelineStage& st, unsigned pass, unsigned rounds_per_stage) {
    const unsigned first = st.first_round + pass * rounds_per_stage;
    const unsigned end = std::max(first, std::min(first + rounds_per_stage, st.first_round + st.round_count));
    return {static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(end), pass == 0 && st.starts_compression};
}

// A stage row: the map's stage block (at most 2 + 32 words per lane, 4 lanes) in whole 64-byte lines.
constexpr std::size_t kMaxRowWords = 144;
std::size_t row_words(const RegisterMap& map) { return (map.stage_words + 15) / 16 * 16; }

// What a clock of the stage rows needs: where the rows are and what the stages do.
struct RingClock {
    const PipelineSpec& spec;
    const PreparedJob& job;
    const StageStep* steps;         // this pass's, per stage
    std::uint32_t* rows;            // `ring` rows of `words` words
    const std::uint32_t* masks;     // per stage, `words` words
    std::size_t words, ring, head;  // head: the row of stage 0 (after this clock's turn)
    bool load;                      // pass 0: each stage takes its input stage's registers
    bool count;                     // count toggles
};

// One stage's next registers in place over `regs` (its input row), out of line: compression
// starts and stages of several rounds, where the step outweighs the call.
template <unsigned Lanes>
[[gnu::noinline]] void step_stage(const RingClock& c, std::size_t s, std::uint32_t* regs) {
    const StageStep& step = c.steps[s];
    stage_next<Lanes>(c.spec, c.spec.stages[s], c.job, layout_of(c.spec), regs, step.first, step.end, step.starts);
}

// One stage's clock in place over `regs` with the portable step; returns the flip-flop bits that
// changed against `old` (the stage's registers before; `regs` itself when the ring did not turn).
template <unsigned Lanes>
std::uint64_t clock_stage(const RingClock& c, std::size_t s, std::uint32_t* regs, const std::uint32_t* old) {
    const std::uint32_t* mask = c.masks + s * c.words;
    if (c.steps[s].holds()) return c.count && c.load ? count_toggles(regs, old, mask, c.words) : 0;
    alignas(64) std::uint32_t before[kMaxRowWords];
    if (c.count && !c.load) old = static_cast<const std::uint32_t*>(std::memcpy(before, regs, c.words * sizeof(std::uint32_t)));
    step_stage<Lanes>(c, s, regs);
    return c.count ? count_toggles(regs, old, mask, c.words) : 0;
}

// The stage rows' clock, portable: each stage in place over its input row, then the bits that
// changed against the stage's old row (the next stage's input, still unwritten: stages run in order).
template <unsigned Lanes>
std::uint64_t clock_stages_portable(const RingClock& c) {
    std::uint64_t toggles = 0;
    std::size_t r = c.head;
    for (std::size_t s = 0; s < c.spec.stages.size(); ++s) {
        const std::size_t r_old = r + 1 == c.ring ? 0 : r + 1;
        std::uint32_t* regs = c.rows + r * c.words;
        toggles += clock_stage<Lanes>(c, s, regs, c.load ? c.rows + r_old * c.words : regs);
        r = r_old;
    }
    return toggles;
}

// The bits that differ between `now` and `before` where `mask` is set, added per 32-bit lane.
#define HF_AVX512_TOGGLES __attribute__((target("avx512f,avx512vpopcntdq,popcnt")))
HF_AVX512_TOGGLES inline __m512i add_toggles(__m512i acc, __m512i now, __m512i before, __m512i mask) {
    return _mm512_add_epi32(acc, _mm512_popcnt_epi32(_mm512_ternarylogic_epi32(now, before, mask, 0x28)));  // (now ^ before) & mask
}

HF_AVX512_TOGGLES inline __m512i add_row_toggles(__m512i acc, const std::uint32_t* now, const std::uint32_t* before, const std::uint32_t* mask,
                                                  std::size_t lines) {
    for (std::size_t k = 0; k < lines; ++k)
        acc = add_toggles(acc, _mm512_load_si512(now + 16 * k), _mm512_load_si512(before + 16 * k), _mm512_load_si512(mask + 16 * k));
    return acc;
}

HF_AVX512_TOGGLES inline std::uint64_t sum_lanes(__m512i acc) {  // lane sums stay far below 2^32 within a clock
    // Through memory: GCC 12 warns inside _mm512_reduce_add_epi32 and the 512-bit extracts.
    alignas(64) std::uint32_t lanes[16];
    _mm512_store_si512(lanes, acc);
    __m128i sum = _mm_add_epi32(_mm_add_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(lanes)), _mm_load_si128(reinterpret_cast<const __m128i*>(lanes + 4))),
                                _mm_add_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(lanes + 8)), _mm_load_si128(reinterpret_cast<const __m128i*>(lanes + 12))));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4e));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xb1));
    return static_cast<std::uint32_t>(_mm_cvtsi128_si32(sum));
}

// One-round stages [s, end) of a one-lane core (kVectorRow) with AVX-512, from row `r`: each stage
// computes its round and schedule word in scalar registers, merges them into its row in two vector
// registers (state words a..h shift by one, a, e and the new window word are inserted), counts the
// toggles against its old row in the same registers and stores the row once, whole lines. Returns
// the row after the last. `Load`: the ring turned (a stage's old row is the next one).
template <bool Load, bool Count>
HF_AVX512_TOGGLES inline std::size_t one_round_stages(const RingClock& c, std::size_t s, std::size_t end, std::size_t r, __m512i& acc) {
    // Word i <- word i - 1 for b, c, d (words 3..5) and f, g, h (7..9); a (2) and e (6) are inserted.
    const __m512i shift = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 8, 7, 6, 6, 4, 3, 2, 2, 1, 0);
    constexpr __mmask16 kA = 1u << 2, kE = 1u << 6;
    constexpr unsigned kWindow = 10;
    std::uint32_t* const rows = c.rows;
    const std::size_t words = c.words, lines = words / 16;
    std::uint32_t* const rows_end = rows + c.ring * words;
    const StageStep* const steps = c.steps;
    const std::uint32_t* mask = c.masks + s * words;
    std::uint32_t* regs = rows + r * words;
    __m512i sum = acc;
    for (; s < end; ++s, mask += words) {
        std::uint32_t* const next = regs + words == rows_end ? rows : regs + words;
        const std::uint32_t* const old = next;  // with Load: the stage's old row is the next stage's input
        const unsigned t = steps[s].first, j = t & 15;
        const std::uint32_t* w = regs + kWindow;
        State v;
        std::memcpy(v.data(), regs + 2, 32);
        const std::uint32_t wt = w[j];
        const std::uint32_t next_w = t + 16 <= 63 ? sha256::schedule_word(w[(t + 14) & 15], w[(t + 9) & 15], w[(t + 1) & 15], wt) : 0;
        sha256::round(v, sha256::kRoundConstants[t] + wt);
        const std::uint32_t w_bit = 1u << (kWindow + j);  // window word j, in the first or the second line
        const __m512i lo_old = _mm512_load_si512(Load ? old : regs), hi_old = _mm512_load_si512(Load ? old + 16 : regs + 16);
        __m512i lo = _mm512_load_si512(regs), hi = _mm512_load_si512(regs + 16);
        lo = _mm512_maskz_permutexvar_epi32(0xffff, shift, lo);  // not the unmasked form: GCC 12 warns inside it
        lo = _mm512_mask_set1_epi32(lo, kA, v[0]);
        lo = _mm512_mask_set1_epi32(lo, kE, v[4]);
        lo = _mm512_mask_set1_epi32(lo, static_cast<__mmask16>(w_bit), next_w);
        hi = _mm512_mask_set1_epi32(hi, static_cast<__mmask16>(w_bit >> 16), next_w);
        _mm512_store_si512(regs, lo);
        _mm512_store_si512(regs + 16, hi);
        if constexpr (Count) {
            sum = add_toggles(sum, lo, lo_old, _mm512_load_si512(mask));
            sum = add_toggles(sum, hi, hi_old, _mm512_load_si512(mask + 16));
            if constexpr (Load)  // words only passed on (chaining values)
                if (lines > 2) sum = add_row_toggles(sum, regs + 32, old + 32, mask + 32, lines - 2);
        }
        regs = next;
    }
    acc = sum;
    return static_cast<std::size_t>(regs - rows) / words;
}

// The stage rows' clock with AVX-512: for one lane, runs of one-round stages as above; other
// stages (compression starts, several rounds, none left, several lanes) with the general step,
// their toggles counted in vector registers.
template <unsigned Lanes, bool Load, bool Count>
HF_AVX512_TOGGLES std::uint64_t clock_stages_avx512(const RingClock& c) {
    const std::size_t stages = c.spec.stages.size(), lines = c.words / 16;
    __m512i acc = _mm512_setzero_si512();
    std::uint64_t toggles = 0;
    // A stage through the portable step is counted later, against a copy of its old row (the next
    // stage overwrites it): its row was just written in pieces, and reading it back whole at once
    // would wait for those stores.
    const std::uint32_t* pending = nullptr;
    const std::uint32_t* pending_mask = nullptr;
    alignas(64) std::uint32_t old_rows[2][kMaxRowWords];  // the pending stage's old row and the current one's
    unsigned pending_old = 0;
    std::size_t r = c.head;
    for (std::size_t s = 0; s < stages;) {
        std::size_t end = s;
        if constexpr (Lanes == 1) {  // the vector step's row (kVectorRow)
            while (end < stages && c.steps[end].one_round()) ++end;
            r = one_round_stages<Load, Count>(c, s, end, r, acc);
        }
        if (end == stages) break;
        const std::size_t r_old = r + 1 == c.ring ? 0 : r + 1;
        std::uint32_t* regs = c.rows + r * c.words;
        const std::uint32_t* old = Load ? c.rows + r_old * c.words : regs;
        r = r_old;
        s = end + 1;
        if (c.steps[end].holds()) {  // nothing written: counted now, if the ring turned
            if (Count && Load) acc = add_row_toggles(acc, regs, old, c.masks + end * c.words, lines);
            continue;
        }
        if constexpr (Count) {
            std::uint32_t* keep = old_rows[pending_old ^ 1];
            if (Lanes == 1) {  // two or three lines (kVectorRow); not a loop: GCC makes that a memcpy call
                _mm512_store_si512(keep, _mm512_load_si512(old));
                _mm512_store_si512(keep + 16, _mm512_load_si512(old + 16));
                if (lines > 2) _mm512_store_si512(keep + 32, _mm512_load_si512(old + 32));
            } else {
                std::memcpy(keep, old, c.words * sizeof(std::uint32_t));
            }
        }
        const StageStep& step = c.steps[end];
        if (step.starts) {
            // A call clobbers the vector registers: the counts so far go to the scalar sum first, so
            // the accumulator stays in a register elsewhere.
            toggles += sum_lanes(acc);
            step_stage<Lanes>(c, end, regs);
            acc = _mm512_setzero_si512();
        } else {
            stage_next<Lanes>(c.spec, c.spec.stages[end], c.job, layout_of(c.spec), regs, step.first, step.end, false);
        }
        if constexpr (Count) {
            // The stage before is counted only now, a whole step after its row was written.
            if (pending) acc = add_row_toggles(acc, pending, old_rows[pending_old], pending_mask, lines);
            pending = regs;
            pending_mask = c.masks + end * c.words;
            pending_old ^= 1;
        }
    }
    if (Count && pending) acc = add_row_toggles(acc, pending, old_rows[pending_old], pending_mask, lines);
    return toggles + sum_lanes(acc);
}

template <unsigned Lanes>
std::uint64_t clock_stages_avx512(const RingClock& c) {
    if (c.load) return c.count ? clock_stages_avx512<Lanes, true, true>(c) : clock_stages_avx512<Lanes, true, false>(c);
    return c.count ? clock_stages_avx512<Lanes, false, true>(c) : clock_stages_avx512<Lanes, false, false>(c);
}

// The AVX-512 step's assumptions: one lane, valid and nonce, then the state a..h, then the window,
// two or three lines in all.
bool vector_row(const PipelineSpec& spec) {
    const RegisterMap& map = spec.registers;
    return spec.lanes == 1 && map.valid == 0 && map.nonce == 1 && map.state0 == 2 && map.window0 == 10 && row_words(map) >= 32 &&
           row_words(map) <= 48;
}

}  // namespace

CycleCore::CycleCore(const PipelineSpec& spec, bool count_activity, bool vector_step)
    : spec_(spec), count_activity_(count_activity) {
    const RegisterMap& map = spec_.registers;
    ctl_ = {map.control(RegisterField::Counter),    map.control(RegisterField::RemainingLo), map.control(RegisterField::RemainingHi),
            map.control(RegisterField::Pass),       map.control(RegisterField::Found),       map.control(RegisterField::FoundNonce),
            map.control(RegisterField::FoundLanes)};
    const std::size_t stages = spec_.stages.size();
    row_words_ = row_words(map);
    if (row_words_ > kMaxRowWords) throw std::logic_error("stage register block larger than the cycle core's row");
    ring_ = stages + 1;  // one spare row: stage 0's next registers, while the last stage's are still read
    rows_.assign(ring_ * row_words_, 0);
    masks_.assign(stages * row_words_, 0);
    std::vector<std::uint32_t> bank_masks = map.flip_flop_masks();  // in bank (map offset) order
    bank_masks.resize(map.bank_words(stages), 0);
    if (map.control_words != kControlWords) throw std::logic_error("control block of the register map changed size");
    std::copy_n(bank_masks.begin(), kControlWords, control_mask_.begin());
    for (std::size_t s = 0; s < stages; ++s)
        for (unsigned i = 0; i < map.stage_words; ++i) {
            const std::size_t offset = map.control_words + s * map.stage_words + i;
            masks_[s * row_words_ + i] = bank_masks[offset];
        }
    // Words that are constant wires in silicon hold their constant from the start.
    for (const Register& r : map.registers)
        if (r.scope != RegisterScope::Job && r.storage == Storage::Constant) word(r.offset) = r.constant;
    for (unsigned pass = 0; pass < spec_.config.loop; ++pass)
        for (const PipelineStage& st : spec_.stages) steps_.push_back(stage_step(st, pass, spec_.config.rounds_per_stage));
    vector_path_ = vector_step && (spec_.lanes > 1 || vector_row(spec_)) && cpu_features().avx512f && cpu_features().avx512vpopcntdq;
}

const std::uint32_t& CycleCore::reg(std::size_t offset) const {
    const RegisterMap& map = spec_.registers;
    if (offset < map.control_words) return control_[offset];
    const std::size_t in_stages = offset - map.control_words;
    return row(in_stages / map.stage_words)[in_stages % map.stage_words];
}

std::uint32_t& CycleCore::word(std::size_t offset) { return const_cast<std::uint32_t&>(reg(offset)); }  // *this is not const here

void CycleCore::load_job(const CoreJob& job, std::uint32_t first_nonce, std::uint64_t count) {
    job_ = prepare_job(spec_, job);
    count_ = count;
    const std::vector<std::uint32_t> job_words = job_register_values(spec_, job_, first_nonce, count);
    // Words that are wires from the job registers change with the job, in every stage at once.
    for (const Register& r : spec_.registers.registers)
        if (r.scope != RegisterScope::Job && r.storage == Storage::JobWire) word(r.offset) = job_words[r.constant];
    // Flush: in-flight nonces belong to the old job.
    for (unsigned s = 0; s < spec_.stages.size(); ++s) row(s)[spec_.registers.valid] = 0;
    control_[ctl_.counter] = first_nonce;
    control_[ctl_.remaining_lo] = static_cast<std::uint32_t>(count);
    control_[ctl_.remaining_hi] = static_cast<std::uint32_t>(count >> 32);
    control_[ctl_.pass] = 0;
    control_[ctl_.found] = 0;
}

bool CycleCore::drained() const {
    if (remaining() != 0) return false;
    for (unsigned s = 0; s < spec_.stages.size(); ++s)
        if (stage_valid(s)) return false;
    return true;
}

void CycleCore::clock() {
    const Layout L = layout_of(spec_);
    const unsigned pass = control_[ctl_.pass];
    const bool load = pass == 0;
    const std::uint64_t remaining = this->remaining();
    const bool issue = load && remaining > 0;
    const std::size_t stages = spec_.stages.size();

    // The comparator reads the last stage's register when it holds a finished hash.
    const std::uint32_t* last = row(stages - 1);
    const unsigned lanes_hit = load && last[L.valid] != 0 ? compare_lanes(spec_, last, L, job_.zero_bits) : 0;
    const std::uint32_t last_nonce = last[L.nonce];

    // Every stage: next register = f(input), input = previous stage's register at pass 0, else its
    // own. At pass 0 the ring turns: stage s's next registers are computed over stage s - 1's row,
    // and the spare row takes the nonce counter's output (the first stage's input; other words zero).
    if (load) {
        head_ = head_ == 0 ? ring_ - 1 : head_ - 1;
        std::uint32_t* feed = row(0);
        std::fill(feed, feed + row_words_, 0u);
        feed[L.valid] = issue ? 1 : 0;
        feed[L.nonce] = control_[ctl_.counter];
    }
    const RingClock c{spec_, job_, steps_.data() + pass * spec_.stages.size(), rows_.data(), masks_.data(), row_words_, ring_, head_, load,
                      count_activity_};
    std::uint64_t toggles = 0;
    if (vector_path_ && spec_.lanes == 1) toggles = clock_stages_avx512<1>(c);
    else if (vector_path_ && spec_.lanes == 2) toggles = clock_stages_avx512<2>(c);
    else if (vector_path_) toggles = clock_stages_avx512<4>(c);
    else if (spec_.lanes == 1) toggles = clock_stages_portable<1>(c);
    else if (spec_.lanes == 2) toggles = clock_stages_portable<2>(c);
    else toggles = clock_stages_portable<4>(c);

    const std::array<std::uint32_t, kControlWords> before = control_;
    std::array<std::uint32_t, kControlWords>& now = control_;
    now[ctl_.found] = lanes_hit != 0 ? 1 : 0;
    if (lanes_hit != 0) {
        now[ctl_.found_nonce] = last_nonce;
        now[ctl_.found_lanes] = lanes_hit;
    }
    if (issue) ++now[ctl_.counter];
    const std::uint64_t left = issue ? remaining - 1 : remaining;
    now[ctl_.remaining_lo] = static_cast<std::uint32_t>(left);
    now[ctl_.remaining_hi] = static_cast<std::uint32_t>(left >> 32);
    now[ctl_.pass] = pass + 1 == spec_.config.loop ? 0 : pass + 1;
    if (count_activity_) toggles_ += toggles + count_toggles(before.data(), now.data(), control_mask_.data(), now.size());
    ++cycles_;
}

// ---- functional mode --------------------------------------------------------------------------

void FunctionalCore::load_job(const CoreJob& job) { job_ = prepare_job(spec_, job); }

void FunctionalCore::scan(std::uint32_t first, std::uint64_t count, std::vector<CoreHit>& hits) {
    const Layout L = layout_of(spec_);
    std::vector<std::uint32_t> regs(L.stride());
    // The compressions in pipeline order, each as one span of rounds: the stages, merged.
    struct Span {
        Compression c;
        unsigned first, last;
    };
    std::vector<Span> spans;
    for (const PipelineStage& st : spec_.stages) {
        if (st.starts_compression) spans.push_back({st.compression, st.first_round, st.first_round + st.round_count - 1});
        else spans.back().last = st.first_round + st.round_count - 1;
    }
    std::uint32_t nonce = first;
    if (spec_.config.midstate_from_host) {
        const unsigned f = spec_.block2_first_round, l = spec_.hash2_last_round, lanes = spec_.lanes;
        auto run = [&](auto hash) {
            for (std::uint64_t i = 0; i < count; ++i, ++nonce) {
                const unsigned h = hash(job_, lanes, nonce);
                for (unsigned m = 0; m < lanes; ++m)
                    if (h & (1u << m)) hits.push_back({nonce, m});
            }
        };
        if (f == 3 && l == 60) run(hash_nonce<3, 60>);
        else if (f == 3) run(hash_nonce<3, 63>);
        else if (l == 60) run(hash_nonce<0, 60>);
        else run(hash_nonce<0, 63>);
        return;
    }
    for (std::uint64_t i = 0; i < count; ++i, ++nonce) {
        regs[L.valid] = 1;
        regs[L.nonce] = nonce;
        for (const Span& s : spans) {
            start_compression(s.c, spec_, job_, regs.data(), L);
            compute_rounds(s.c, regs.data(), L, s.first, s.last);
        }
        const unsigned lanes_hit = compare_lanes(spec_, regs.data(), L, job_.zero_bits);
        for (unsigned m = 0; m < L.lanes; ++m)
            if (lanes_hit & (1u << m)) hits.push_back({nonce, m});
    }
}

}  // namespace hf::hw
