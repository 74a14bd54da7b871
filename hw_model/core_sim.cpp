#include "hw_model/core_sim.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "core/sha256_rounds.hpp"

namespace hf::hw {
namespace {

using sha256::State;

// Stage register layout (32-bit words): valid, nonce, lane states (8 per lane), lane chaining
// values (8 per lane, only used without a host midstate), message windows (16 per schedule).
// A window is addressed by round number mod 16: W[t] sits in word t & 15 (one word is rewritten
// per round, as in an addressable schedule register file).
struct Layout {
    unsigned lanes;
    std::size_t state(unsigned lane) const { return 2 + 8 * lane; }
    std::size_t chain(unsigned lane) const { return 2 + 8 * lanes + 8 * lane; }
    std::size_t window(unsigned lane) const { return 2 + 16 * lanes + 16 * lane; }
    std::size_t stride() const { return 2 + 32 * lanes; }
};

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
    if (schedule) {
        // The whole-compression ranges of the functional model, unrolled.
        if (first == 0 && last == 63) return rounds_fixed<0>(v, w, std::make_integer_sequence<unsigned, 64>{});
        if (first == 3 && last == 63) return rounds_fixed<3>(v, w, std::make_integer_sequence<unsigned, 61>{});
        if (first == 0 && last == 60) return rounds_fixed<0>(v, w, std::make_integer_sequence<unsigned, 61>{});
    }
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
            const std::uint32_t nonce = regs[1];
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

// gcc picks the POPCNT version at load time where the CPU has it.
__attribute__((target_clones("popcnt", "default"))) std::uint64_t count_toggles(const std::uint32_t* a, const std::uint32_t* b,
                                                                                   std::size_t n) {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += static_cast<unsigned>(std::popcount(a[i] ^ b[i]));
    return total;
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

// ---- cycle mode -------------------------------------------------------------------------------

CycleCore::CycleCore(const PipelineSpec& spec, bool count_activity)
    : spec_(spec), count_activity_(count_activity), stride_(Layout{spec.lanes}.stride()) {
    const std::size_t words = kControlWords + stride_ * spec_.stages.size();
    bank_[0].assign(words, 0);
    bank_[1].assign(words, 0);
    feeder_.assign(stride_, 0);
}

void CycleCore::load_job(const CoreJob& job, std::uint32_t first_nonce, std::uint64_t count) {
    job_ = prepare_job(spec_, job);
    count_ = count;
    for (auto& bank : bank_) {
        // Flush: in-flight nonces belong to the old job.
        for (std::size_t s = 0; s < spec_.stages.size(); ++s) bank[kControlWords + s * stride_] = 0;
        bank[kCounter] = first_nonce;
        bank[kRemainingLo] = static_cast<std::uint32_t>(count);
        bank[kRemainingHi] = static_cast<std::uint32_t>(count >> 32);
        bank[kPhase] = 0;
        bank[kFound] = 0;
    }
}

std::span<const std::uint32_t> CycleCore::stage_registers(unsigned stage) const {
    return {regs() + kControlWords + stage * stride_, stride_};
}

bool CycleCore::drained() const {
    if (remaining() != 0) return false;
    for (std::size_t s = 0; s < spec_.stages.size(); ++s)
        if (regs()[kControlWords + s * stride_] != 0) return false;
    return true;
}

void CycleCore::clock() {
    const std::uint32_t* cur = bank_[active_].data();
    std::uint32_t* nxt = bank_[active_ ^ 1].data();
    const Layout L{spec_.lanes};
    const unsigned loop = spec_.config.loop;
    const unsigned R = spec_.config.rounds_per_stage;
    const unsigned pass = cur[kPhase];
    const bool load = pass == 0;
    const std::uint64_t remaining = static_cast<std::uint64_t>(cur[kRemainingHi]) << 32 | cur[kRemainingLo];
    const bool issue = load && remaining > 0;

    // The nonce counter drives the first stage's input.
    feeder_[0] = issue ? 1 : 0;
    feeder_[1] = cur[kCounter];

    // Every stage: next register = f(input), input = previous stage's register at pass 0, else its own.
    for (std::size_t s = 0; s < spec_.stages.size(); ++s) {
        const PipelineStage& st = spec_.stages[s];
        const std::uint32_t* in = load ? (s == 0 ? feeder_.data() : cur + kControlWords + (s - 1) * stride_)
                                       : cur + kControlWords + s * stride_;
        std::uint32_t* out = nxt + kControlWords + s * stride_;
        std::memcpy(out, in, stride_ * sizeof(std::uint32_t));
        if (out[0] == 0) continue;  // a bubble: the registers hold whatever they held (no clock enable modelled)
        if (load && st.starts_compression) start_compression(st.compression, spec_, job_, out, L);
        const unsigned first = st.first_round + pass * R;
        const unsigned end = std::min(first + R, st.first_round + st.round_count);
        if (first < end) compute_rounds(st.compression, out, L, first, end - 1);
    }

    // The comparator reads the last stage's register when it holds a finished hash.
    const std::uint32_t* last = cur + kControlWords + (spec_.stages.size() - 1) * stride_;
    const unsigned lanes_hit = load && last[0] != 0 ? compare_lanes(spec_, last, L, job_.zero_bits) : 0;
    nxt[kFound] = lanes_hit != 0 ? 1 : 0;
    nxt[kFoundNonce] = lanes_hit != 0 ? last[1] : cur[kFoundNonce];
    nxt[kFoundLanes] = lanes_hit != 0 ? lanes_hit : cur[kFoundLanes];
    nxt[kCounter] = issue ? cur[kCounter] + 1 : cur[kCounter];
    const std::uint64_t left = issue ? remaining - 1 : remaining;
    nxt[kRemainingLo] = static_cast<std::uint32_t>(left);
    nxt[kRemainingHi] = static_cast<std::uint32_t>(left >> 32);
    nxt[kPhase] = pass + 1 == loop ? 0 : pass + 1;

    if (count_activity_) toggles_ += count_toggles(cur, nxt, bank_[0].size());
    active_ ^= 1;  // commit
    ++cycles_;
}

// ---- functional mode --------------------------------------------------------------------------

void FunctionalCore::load_job(const CoreJob& job) { job_ = prepare_job(spec_, job); }

void FunctionalCore::scan(std::uint32_t first, std::uint64_t count, std::vector<CoreHit>& hits) {
    const Layout L{spec_.lanes};
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
    for (std::uint64_t i = 0; i < count; ++i, ++nonce) {
        regs[0] = 1;
        regs[1] = nonce;
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
