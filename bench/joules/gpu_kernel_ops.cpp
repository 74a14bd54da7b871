#include "bench/joules/gpu_kernel_ops.hpp"

#include <optional>
#include <vector>

namespace hf::joules {
namespace {

// A sum whose non-varying terms are folded into one constant (free), as a miner's kernel
// author (or the compiler's reassociation) does, and whose varying terms are chained.
struct SplitSum {
    OpValue constant;
    std::optional<OpValue> varying;
};

SplitSum split_sum(OpGraph& g, std::initializer_list<std::optional<OpValue>> terms) {
    SplitSum s{g.literal(0), std::nullopt};
    for (const auto& t : terms) {
        if (!t) continue;
        if (t->cls == ValueClass::Nonce) {
            s.varying = s.varying ? g.add(*s.varying, *t) : *t;
        } else {
            s.constant = g.add(s.constant, *t);
        }
    }
    return s;
}

OpValue finish(OpGraph& g, const SplitSum& s) { return s.varying ? g.add(*s.varying, s.constant) : s.constant; }

OpValue big_sigma0(OpGraph& g, OpValue x) { return g.xor3(g.rotr(x, 2), g.rotr(x, 13), g.rotr(x, 22)); }
OpValue big_sigma1(OpGraph& g, OpValue x) { return g.xor3(g.rotr(x, 6), g.rotr(x, 11), g.rotr(x, 25)); }
OpValue small_sigma0(OpGraph& g, OpValue x) { return g.xor3(g.rotr(x, 7), g.rotr(x, 18), g.shr(x, 3)); }
OpValue small_sigma1(OpGraph& g, OpValue x) { return g.xor3(g.rotr(x, 17), g.rotr(x, 19), g.shr(x, 10)); }

// 64 rounds of compression on `v` (a..h) with message words `w[0..15]`, schedule on the fly.
// Returns the working variables after the last round (before the feed-forward addition).
std::array<OpValue, 8> compress(OpGraph& g, std::array<OpValue, 8> v, std::array<OpValue, 16> w16) {
    std::vector<OpValue> w(w16.begin(), w16.end());
    for (int t = 16; t < 64; ++t)
        w.push_back(finish(g, split_sum(g, {small_sigma1(g, w[t - 2]), w[t - 7], small_sigma0(g, w[t - 15]), w[t - 16]})));
    for (int t = 0; t < 64; ++t) {
        const auto [a, b, c, d, e, f, gg, h] = v;
        const SplitSum t1 = split_sum(g, {h, big_sigma1(g, e), g.ch(e, f, gg), g.literal(sha256::kRoundConstants[t]), w[t]});
        const OpValue t2 = g.add(big_sigma0(g, a), g.maj(a, b, c));
        // T1 in full is built once and shared by e' and a'; when d (or T2) does not vary, folding
        // it into T1's constant part instead saves an add. Only what is used gets counted.
        const OpValue t1_full = finish(g, t1);
        const OpValue new_e = (t1.varying && d.cls != ValueClass::Nonce)
                                  ? g.add(*t1.varying, g.add(d, t1.constant))
                                  : g.add(d, t1_full);
        const OpValue new_a = (t1.varying && t2.cls != ValueClass::Nonce)
                                  ? g.add(*t1.varying, g.add(t1.constant, t2))
                                  : g.add(t1_full, t2);
        v = {new_a, a, b, c, new_e, e, f, gg};
    }
    return v;
}

}  // namespace

KernelTrace trace_sha256d_nonce_kernel(const sha256::State& midstate, const std::array<std::uint32_t, 3>& tail_words,
                                       std::uint32_t nonce_word, const IsaFeatures& isa) {
    OpGraph g;
    // First hash, second block: header bytes 64..79 then padding for an 80-byte message.
    std::array<OpValue, 8> mid{};
    for (int i = 0; i < 8; ++i) mid[i] = g.job_input(midstate[i]);
    std::array<OpValue, 16> w1{};
    for (int i = 0; i < 3; ++i) w1[i] = g.job_input(tail_words[i]);
    w1[3] = g.nonce_input(nonce_word);
    w1[4] = g.literal(0x80000000u);
    for (int i = 5; i < 15; ++i) w1[i] = g.literal(0);
    w1[15] = g.literal(80 * 8);
    const auto s1 = compress(g, mid, w1);
    std::array<OpValue, 16> w2{};
    for (int i = 0; i < 8; ++i) w2[i] = g.add(mid[i], s1[i]);  // first digest = second message
    w2[8] = g.literal(0x80000000u);
    for (int i = 9; i < 15; ++i) w2[i] = g.literal(0);
    w2[15] = g.literal(32 * 8);

    std::array<OpValue, 8> iv{};
    for (int i = 0; i < 8; ++i) iv[i] = g.literal(sha256::kInitialState[i]);
    const auto s2 = compress(g, iv, w2);

    KernelTrace trace;
    std::vector<OpValue> all_words;
    for (int i = 0; i < 8; ++i) {
        const OpValue word = g.add(iv[i], s2[i]);
        trace.second_hash[i] = word.value;
        all_words.push_back(word);
    }
    // Early exit: h after round 63 is e after round 60; H7 == 0  <=>  h == -IV7.
    const OpValue test = g.equal_test(s2[7], g.literal(0u - sha256::kInitialState[7]));
    trace.early_exit_candidate = test.value != 0;
    trace.with_early_exit = g.count({test}, isa);
    trace.without_early_exit = g.count(all_words, isa);
    trace.graph_nodes = g.node_count();
    return trace;
}

}  // namespace hf::joules
