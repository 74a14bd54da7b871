#include "hw_model/pipeline_spec.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace hf::hw {
namespace {

bool power_of_two(unsigned v) { return v != 0 && std::has_single_bit(v); }

// Does the core have to compute or hold this word itself (rather than get it as a wire or from the
// per-job precompute)?
bool needs_hardware(WordClass c, const CoreConfig& cfg) {
    switch (c) {
        case WordClass::PerNonce: return true;
        case WordClass::PerJob: return !cfg.precompute_job_rounds;
        case WordClass::Constant: return !cfg.hardwire_padding;
    }
    return true;
}

}  // namespace

// Block 2's words 4..15 and the second hash's words 8..15 are SHA-256 padding for an 80-byte and
// a 32-byte message: 0x80000000, zeros, then the bit length.
std::uint32_t constant_word(Compression c, unsigned t) {
    if (c == Compression::Block2) return t == 4 ? 0x80000000u : t == 15 ? 640u : 0u;
    return t == 8 ? 0x80000000u : t == 15 ? 256u : 0u;
}

std::string CoreConfig::describe() const {
    std::string s = "R";
    s.append(std::to_string(rounds_per_stage)).append(" L").append(std::to_string(loop));
    s.append(" M").append(std::to_string(midstates));
    s.append(midstate_from_host ? " +midstate" : " -midstate");
    s.append(precompute_job_rounds ? " +precompute" : " -precompute");
    s.append(hardwire_padding ? " +hardwire" : " -hardwire");
    s.append(cut_final_rounds ? " +cut" : " -cut");
    return s;
}

void validate(const CoreConfig& c) {
    if (!power_of_two(c.rounds_per_stage) || c.rounds_per_stage > 64)
        throw std::invalid_argument("rounds per stage must be a power of two from 1 to 64");
    if (!power_of_two(c.loop) || c.loop > 64) throw std::invalid_argument("loop factor must be a power of two from 1 to 64");
    if (c.rounds_per_stage * c.loop > 64)
        throw std::invalid_argument("rounds per stage x loop factor must be at most 64 (one compression per stage)");
    if (c.midstates != 1 && c.midstates != 2 && c.midstates != 4)
        throw std::invalid_argument("midstates per job must be 1, 2 or 4");
}

const char* compression_name(Compression c) {
    switch (c) {
        case Compression::Block1: return "b1";
        case Compression::Block2: return "b2";
        case Compression::Hash2: return "h2";
    }
    return "?";
}

HardwareCount& HardwareCount::operator+=(const HardwareCount& o) {
    adders32 += o.adders32;
    logic32 += o.logic32;
    register_bits += o.register_bits;
    comparator_bits += o.comparator_bits;
    return *this;
}

std::string PipelineStage::name() const {
    std::string s = compression_name(compression);
    s.append(" r").append(std::to_string(first_round)).append("-").append(std::to_string(first_round + round_count - 1));
    return s;
}

std::vector<WordClass> word_classes(Compression c) {
    std::vector<WordClass> w(64, WordClass::Constant);
    for (unsigned t = 0; t < 16; ++t) {
        switch (c) {
            // Without a host midstate the whole first block is recomputed for every nonce.
            case Compression::Block1: w[t] = WordClass::PerNonce; break;
            case Compression::Block2:
                w[t] = t < 3 ? WordClass::PerJob : t == 3 ? WordClass::PerNonce : WordClass::Constant;
                break;
            case Compression::Hash2: w[t] = t < 8 ? WordClass::PerNonce : WordClass::Constant; break;
        }
    }
    for (unsigned t = 16; t < 64; ++t) w[t] = std::max({w[t - 2], w[t - 7], w[t - 15], w[t - 16]});
    return w;
}

PipelineSpec build_pipeline(const CoreConfig& cfg) {
    validate(cfg);
    PipelineSpec spec;
    spec.config = cfg;
    spec.lanes = cfg.midstates;
    // Rounds 0..2 of block 2 depend only on the job; without a host midstate their input is computed
    // per nonce by the block-1 stages, so there is nothing to precompute.
    spec.block2_first_round = cfg.precompute_job_rounds && cfg.midstate_from_host ? 3 : 0;
    spec.hash2_last_round = cfg.cut_final_rounds ? 60 : 63;
    spec.pass_bits = static_cast<unsigned>(std::bit_width(cfg.loop - 1));
    const unsigned M = cfg.midstates;
    const unsigned capacity = cfg.rounds_per_stage * cfg.loop;

    struct Part {
        Compression c;
        unsigned first, last;
    };
    std::vector<Part> parts;
    if (!cfg.midstate_from_host) parts.push_back({Compression::Block1, 0, 63});
    parts.push_back({Compression::Block2, spec.block2_first_round, 63});
    parts.push_back({Compression::Hash2, 0, spec.hash2_last_round});

    for (const Part& p : parts) {
        const auto classes = word_classes(p.c);
        const bool shared = p.c == Compression::Block2;
        const unsigned schedules = shared ? 1 : M;
        auto hw_word = [&](unsigned t) { return needs_hardware(classes[t], cfg); };
        spec.rounds_per_hash += p.last - p.first + 1;
        for (unsigned start = p.first; start <= p.last; start += capacity) {
            PipelineStage st;
            st.index = static_cast<unsigned>(spec.stages.size());
            st.compression = p.c;
            st.first_round = start;
            st.round_count = std::min(capacity, p.last + 1 - start);
            st.last_round = p.last;
            st.starts_compression = start == p.first;
            HardwareCount& h = st.hardware;
            // One physical round unit per round of a pass; it is reused `loop` times.
            const unsigned units = std::min(cfg.rounds_per_stage, st.round_count);
            for (unsigned u = 0; u < units; ++u) {
                const unsigned t = start + u;  // representative round for the unit's W class
                // T1 = h + Sigma1(e) + Ch(e,f,g) + (K[t] + W[t]); T2 = Sigma0(a) + Maj(a,b,c);
                // e' = d + T1; a' = T1 + T2. K+W is a constant or per-job sum unless W is computed here.
                h.adders32 += M * (hw_word(t) ? 7 : 6);
                h.logic32 += M * 6;  // Sigma0, Sigma1 (two XOR levels each), Ch, Maj
                if (t + 16 <= 63 && hw_word(t + 16)) {
                    // W[t+16] = sigma1(W[t+14]) + W[t+9] + sigma0(W[t+1]) + W[t]; known inputs fold into one constant.
                    const unsigned in[4] = {t + 14, t + 9, t + 1, t};
                    unsigned variable = 0;
                    bool folded = false;
                    for (unsigned i : in) {
                        if (hw_word(i)) ++variable;
                        else if (classes[i] != WordClass::Constant || constant_word(p.c, i) != 0) folded = true;
                    }
                    const unsigned terms = variable + (folded ? 1 : 0);
                    h.adders32 += schedules * (terms > 0 ? terms - 1 : 0);
                    h.logic32 += schedules * ((hw_word(t + 14) ? 2 : 0) + (hw_word(t + 1) ? 2 : 0));
                }
            }
            if (cfg.loop > 1)
                // A looped stage addresses its window by pass (Yosys: rtl --report): per round unit and
                // schedule, 16:1 read muxes for W[t], W[t+14], W[t+9], W[t+1] (15 mux levels each),
                // a write decoder over the 16 words, and the K constant chosen by pass (~10).
                h.logic32 += units * (schedules * (4 * 15 + 16) + 10);
            if (st.starts_compression && p.c != Compression::Block1 && (p.c == Compression::Hash2 || !cfg.midstate_from_host))
                h.adders32 += M * 8;  // feed-forward of the previous compression: digest = chaining value + state
            spec.stages.push_back(st);
        }
    }

    // Registers come from the register map; the muxes of a looped stage feed each of its registers
    // either the previous stage's or its own output.
    spec.registers = build_register_map(spec);
    for (const Register& r : spec.registers.registers) {
        if (r.scope != RegisterScope::Stage || r.storage != Storage::FlipFlop) continue;
        HardwareCount& h = spec.stages[r.stage].hardware;
        h.register_bits += r.width;
        if (cfg.loop > 1 && r.width == 32) ++h.logic32;
    }
    for (const PipelineStage& st : spec.stages) spec.hardware += st.hardware;

    HardwareCount core;
    core.adders32 += 1 + 2;  // nonce counter incrementer, the 64-bit count of nonces left
    core.register_bits += spec.registers.flip_flop_bits(RegisterScope::Control) + spec.registers.flip_flop_bits(RegisterScope::Job);
    // Comparator: H7 = e(after round 60) + IV7 with the cut; else the full feed-forward of the
    // words the difficulty check reads (H7 and H6), each masked by the ticket mask.
    core.adders32 += M * (cfg.cut_final_rounds ? 1 : 2);
    core.comparator_bits += M * (cfg.cut_final_rounds ? 32 : 64);
    spec.hardware += core;

    spec.latency_clocks = static_cast<unsigned>(spec.stages.size()) * cfg.loop + 1;
    spec.hashes_per_clock = static_cast<double>(M) / cfg.loop;
    return spec;
}

}  // namespace hf::hw
