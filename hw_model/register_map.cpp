// The core's register map, derived from the stages: which words each stage register holds, and
// which of them are flip-flops in silicon (see Storage). The cycle core indexes its bank by it,
// the VCD and the Verilog name signals by it, and the register-bit count is summed from it.
#include <algorithm>
#include <bit>
#include <string>
#include <string_view>

#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {
namespace {

const char* const kStateNames[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};

// What the window word `j` of a compression's schedule holds after rounds up to `t_done`: W[i] for
// the i in [t_done + 1, t_done + 16] with i = j (mod 16). Words past W63 are never produced.
unsigned window_word_index(unsigned j, unsigned t_done_plus_one) {
    unsigned i = t_done_plus_one;
    while (i % 16 != j) ++i;
    return i;
}

struct WordKind {
    Storage storage;
    std::uint32_t constant;
};

// Silicon for W[i] held in a register of compression `c` whose last round is `last`.
WordKind window_word_kind(const PipelineSpec& spec, Compression c, unsigned i, unsigned last) {
    if (i > 63) return {Storage::Constant, 0};
    const WordClass cls = word_classes(c)[i];
    const CoreConfig& cfg = spec.config;
    if (cls == WordClass::Constant && cfg.hardwire_padding) return {Storage::Constant, constant_word(c, i)};
    if (cls == WordClass::PerJob && c == Compression::Block2) {
        // Job words come from the job registers: the tail always with the precompute, W16 and W17
        // when the precompute actually runs rounds 0..2 (it needs the host's midstate).
        if (i < 3 && cfg.precompute_job_rounds) return {Storage::JobWire, kJobTail0 + i};
        if ((i == 16 || i == 17) && spec.block2_first_round == 3) return {Storage::JobWire, i == 16 ? kJobW16 : kJobW17};
    }
    return {i <= last ? Storage::FlipFlop : Storage::Unused, 0};
}

// Combines what an entry is over the passes of a looped stage: a register if it is one in any pass.
WordKind merge(const WordKind& a, const WordKind& b) {
    if (a.storage == b.storage && a.constant == b.constant) return a;
    if (a.storage == Storage::FlipFlop || b.storage == Storage::FlipFlop) return {Storage::FlipFlop, 0};
    return {Storage::Unused, 0};
}

// Built with append: gcc 12 warns falsely (-Wrestrict) on chains of string operator+.
std::string join(std::initializer_list<std::string_view> parts) {
    std::string s;
    for (std::string_view p : parts) s.append(p);
    return s;
}

std::string lane_prefix(const PipelineSpec& spec, unsigned stage, unsigned lane) {
    return spec.lanes > 1 ? join({"s", std::to_string(stage), "_l", std::to_string(lane), "_"}) : join({"s", std::to_string(stage), "_"});
}

}  // namespace

unsigned RegisterMap::control(RegisterField f) const {
    for (const Register& r : registers)
        if (r.scope == RegisterScope::Control && r.field == f) return r.offset;
    return 0;
}

unsigned RegisterMap::flip_flop_bits(RegisterScope scope) const {
    unsigned bits = 0;
    for (const Register& r : registers)
        if (r.scope == scope && r.storage == Storage::FlipFlop) bits += r.width;
    return bits;
}

std::vector<std::uint32_t> RegisterMap::flip_flop_masks() const {
    std::vector<std::uint32_t> masks;
    for (const Register& r : registers) {
        if (r.scope == RegisterScope::Job) continue;
        if (masks.size() <= r.offset) masks.resize(r.offset + 1, 0);
        if (r.storage == Storage::FlipFlop) masks[r.offset] = r.width >= 32 ? ~0u : (1u << r.width) - 1;
    }
    return masks;
}

RegisterMap build_register_map(const PipelineSpec& spec) {
    RegisterMap map;
    const CoreConfig& cfg = spec.config;
    const unsigned M = spec.lanes;
    auto add = [&](Register r) { map.registers.push_back(std::move(r)); };

    // Control: the nonce counter and the nonces left to issue, the pass counter, the found register.
    const std::pair<const char*, RegisterField> control[] = {
        {"nonce_counter", RegisterField::Counter}, {"remaining_lo", RegisterField::RemainingLo},
        {"remaining_hi", RegisterField::RemainingHi}, {"pass", RegisterField::Pass},
        {"found", RegisterField::Found}, {"found_nonce", RegisterField::FoundNonce},
        {"found_lanes", RegisterField::FoundLanes}};
    unsigned offset = 0;
    for (const auto& [name, field] : control) {
        Register r{name, RegisterScope::Control, field};
        r.offset = offset++;
        if (field == RegisterField::Pass) {
            r.width = std::max(1u, spec.pass_bits);
            if (spec.pass_bits == 0) r.storage = Storage::Constant;  // an unrolled core has no pass counter
        }
        if (field == RegisterField::Found) r.width = 1;
        if (field == RegisterField::FoundLanes) r.width = M;
        add(r);
    }
    map.control_words = 8;  // a 32-byte aligned head

    // Stage blocks: valid, nonce, lane states, lane windows (block 2's lanes share window 0), and
    // without a host midstate the lanes' chaining values, which travel to the second hash.
    map.state0 = 2;
    map.window0 = 2 + 8 * M;
    map.has_chain = !cfg.midstate_from_host;
    map.chain0 = 2 + 24 * M;
    map.stage_words = 2 + 24 * M + (map.has_chain ? 8 * M : 0);
    const unsigned R = cfg.rounds_per_stage, L = cfg.loop;
    const bool unrolled_last = L == 1;
    for (const PipelineStage& st : spec.stages) {
        const unsigned base = map.control_words + st.index * map.stage_words;
        const std::string s = join({"s", std::to_string(st.index), "_"});
        const bool last_stage = st.index + 1 == spec.stages.size();
        add({join({s, "valid"}), RegisterScope::Stage, RegisterField::Valid, st.index, 0, 0, 1, base + map.valid});
        add({join({s, "nonce"}), RegisterScope::Stage, RegisterField::Nonce, st.index, 0, 0, 32, base + map.nonce});
        for (unsigned m = 0; m < M; ++m)
            for (unsigned i = 0; i < 8; ++i) {
                Register r{join({lane_prefix(spec, st.index, m), kStateNames[i]}), RegisterScope::Stage, RegisterField::State, st.index, m, i, 32,
                           base + map.state(m) + i};
                // The comparator reads only H7's source (e, or h and g without the cut) from the last register.
                if (last_stage && unrolled_last) {
                    const bool read = cfg.cut_final_rounds ? i == 4 : i >= 6;
                    if (!read) r.storage = Storage::Unused;
                }
                add(r);
            }
        for (unsigned m = 0; m < M; ++m)
            for (unsigned j = 0; j < 16; ++j) {
                Register r{join({lane_prefix(spec, st.index, m), "w", std::to_string(j)}), RegisterScope::Stage, RegisterField::Window, st.index,
                           m, j, 32, base + map.window(m) + j};
                if (st.compression == Compression::Block2 && m > 0) {
                    r.storage = Storage::Constant;  // the lanes share window 0; these words stay zero
                } else {
                    WordKind kind{Storage::Unused, 0};
                    bool first = true;
                    for (unsigned p = 0; p < L; ++p) {
                        const unsigned done = std::min((p + 1) * R, st.round_count);
                        const unsigned i = window_word_index(j, st.first_round + done);
                        const WordKind k = window_word_kind(spec, st.compression, i, st.last_round);
                        kind = first ? k : merge(kind, k);
                        first = false;
                    }
                    r.storage = kind.storage;
                    r.constant = kind.constant;
                }
                add(r);
            }
        if (map.has_chain)
            for (unsigned m = 0; m < M; ++m)
                for (unsigned i = 0; i < 8; ++i) {
                    Register r{join({lane_prefix(spec, st.index, m), "chain_", kStateNames[i]}), RegisterScope::Stage, RegisterField::Chain,
                               st.index, m, i, 32, base + map.chain(m) + i};
                    // Set where block 2 starts, read where the second hash starts; zero before.
                    if (st.compression == Compression::Block1) r.storage = Storage::Constant;
                    if (st.compression == Compression::Hash2) r.storage = Storage::Unused;
                    add(r);
                }
    }

    // Job registers (written by the host when a job arrives), then the comparator's ticket mask
    // and the nonce range.
    auto job = [&](const std::string& name, Storage storage = Storage::FlipFlop) {
        Register r{join({"job_", name}), RegisterScope::Job, RegisterField::JobWord};
        r.index = static_cast<unsigned>(std::count_if(map.registers.begin(), map.registers.end(),
                                                      [](const Register& x) { return x.scope == RegisterScope::Job; }));
        r.storage = storage;
        add(r);
    };
    job("tail0");
    job("tail1");
    job("tail2");
    const Storage w1617 = spec.block2_first_round == 3 ? Storage::FlipFlop : Storage::Unused;
    job("w16", w1617);
    job("w17", w1617);
    for (unsigned m = 0; m < M; ++m) {
        const std::string l = M > 1 ? join({"l", std::to_string(m), "_"}) : std::string();
        if (cfg.midstate_from_host) {
            for (unsigned i = 0; i < 8; ++i) job(join({l, "midstate_", kStateNames[i]}));
            // Block 2's state after the precomputed rounds (the midstate itself without them).
            for (unsigned i = 0; i < 8; ++i) job(join({l, "start_", kStateNames[i]}), spec.block2_first_round > 0 ? Storage::FlipFlop : Storage::Unused);
        } else {
            for (unsigned i = 0; i < 16; ++i) job(join({l, "block1_w", std::to_string(i)}));
        }
    }
    job("mask7");  // bits of the hash's top word that must be zero (the ticket / on-chip difficulty)
    job("mask6", cfg.cut_final_rounds ? Storage::Unused : Storage::FlipFlop);
    job("first_nonce");
    job("count_lo");
    job("count_hi");
    return map;
}

}  // namespace hf::hw
