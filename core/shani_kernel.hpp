// The sha256d nonce kernel in SHA-NI form, in steps of four rounds so a backend can run it alone
// (backend_shani.cpp, several nonces interleaved) or interleave it with the lane-vector kernel
// (backend_hybrid.cpp). Include after switching on at least "sha,sse4.1,ssse3"; internal linkage,
// like sha256d_kernel.hpp, so each including file gets its own copy for its own ISA.
//
// sha256rnds2 keeps the state as two registers, ABEF = {A, B, E, F} and CDGH = {C, D, G, H} from
// lane 3 down to lane 0, and does two rounds with K+W from the low two lanes of its third operand
// (always xmm0 in this legacy-SSE encoding). sha256msg1/msg2 do the message schedule.
//
// The plan's tricks in SHA-NI form: hash 1 starts at round 4 (state after rounds 0..3 from the
// plan, the nonce added to lanes A and E), rounds 4..15 use constant K+W, hash 2's rounds 8..15
// too, and hash 2 stops after the sha256rnds2 of rounds 60-61, whose F lane is e after round 60:
// H7. That is 30 + 31 = 61 sha256rnds2 per nonce instead of 64.
#pragma once

#include <cstdint>

#include "core/sha256.hpp"
#include "core/sha256d_plan.hpp"

namespace hf::kernel {
namespace {

struct ShaniPlan {
    __m128i abef3, cdgh3;        // hash 1 after round 3 without W3
    __m128i m0;                  // W0..W3 of block 2 with W3 = 0 (lane 0 = W0)
    __m128i mid_abef, mid_cdgh;  // the midstate, for the feed-forward
    std::uint32_t h7_limit;
};

inline __m128i words(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2, std::uint32_t w3) {
    return _mm_set_epi32(static_cast<int>(w3), static_cast<int>(w2), static_cast<int>(w1), static_cast<int>(w0));
}
inline __m128i abef_of(const sha256::State& s) { return words(s[5], s[4], s[1], s[0]); }
inline __m128i cdgh_of(const sha256::State& s) { return words(s[7], s[6], s[3], s[2]); }

inline ShaniPlan make_shani_plan(const Sha256dPlan& plan) {
    return {abef_of(plan.v3), cdgh_of(plan.v3), words(plan.w[0], plan.w[1], plan.w[2], 0),
            abef_of(plan.midstate), cdgh_of(plan.midstate), plan.h7_limit};
}

inline __m128i k4(int group) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(sha256::kRoundConstants.data()) + group); }

// W[4i..4i+3] from the previous 16 words (i >= 4); m[i & 3] is replaced.
template <int I> inline void schedule4(__m128i (&m)[4]) {
    __m128i x = _mm_sha256msg1_epu32(m[I & 3], m[(I + 1) & 3]);
    x = _mm_add_epi32(x, _mm_alignr_epi8(m[(I + 3) & 3], m[(I + 2) & 3], 4));
    m[I & 3] = _mm_sha256msg2_epu32(x, m[(I + 3) & 3]);
}

// Four rounds on every stream; kw[s] holds K+W for the four rounds of stream s.
template <int N> inline void rounds4(__m128i (&abef)[N], __m128i (&cdgh)[N], __m128i (&kw)[N]) {
    for (int s = 0; s < N; ++s) cdgh[s] = _mm_sha256rnds2_epu32(cdgh[s], abef[s], kw[s]);
    for (int s = 0; s < N; ++s) kw[s] = _mm_shuffle_epi32(kw[s], 0x0E);
    for (int s = 0; s < N; ++s) abef[s] = _mm_sha256rnds2_epu32(abef[s], cdgh[s], kw[s]);
}
template <int N> inline void rounds4_same(__m128i (&abef)[N], __m128i (&cdgh)[N], __m128i kw) {
    __m128i k[N];
    for (int s = 0; s < N; ++s) k[s] = kw;
    rounds4<N>(abef, cdgh, k);
}
// Schedule (for groups >= 4) and four rounds of group G with the message in m.
template <int G, int N> inline void group_from_message(__m128i (&abef)[N], __m128i (&cdgh)[N], __m128i (&m)[N][4]) {
    if constexpr (G >= 4)
        for (int s = 0; s < N; ++s) schedule4<G>(m[s]);
    __m128i kw[N];
    for (int s = 0; s < N; ++s) kw[s] = _mm_add_epi32(m[s][G & 3], k4(G));
    rounds4<N>(abef, cdgh, kw);
}

template <int N> struct ShaniLanes {
    __m128i abef[N], cdgh[N], m[N][4];
};

// Hash 1 at the start of round 4 for nonce words w3[0..N).
template <int N> inline void shani_h1_init(const ShaniPlan& p, const std::uint32_t (&w3)[N], ShaniLanes<N>& l) {
    for (int s = 0; s < N; ++s) {
        const __m128i n = _mm_set1_epi32(static_cast<int>(w3[s]));
        l.abef[s] = _mm_add_epi32(p.abef3, _mm_blend_epi16(n, _mm_setzero_si128(), 0x33));  // + W3 in A and E
        l.cdgh[s] = p.cdgh3;
        l.m[s][0] = _mm_blend_epi16(p.m0, n, 0xC0);  // W3 in lane 3
        l.m[s][1] = words(0x80000000u, 0, 0, 0);
        l.m[s][2] = _mm_setzero_si128();
        l.m[s][3] = words(0, 0, 0, 640);
    }
}
// Hash 1, rounds 4G..4G+3 (1 <= G <= 15).
template <int G, int N> inline void shani_h1_group(ShaniLanes<N>& l) {
    using sha256::kRoundConstants;
    if constexpr (G == 1) rounds4_same<N>(l.abef, l.cdgh, words(kRoundConstants[4] + 0x80000000u, kRoundConstants[5], kRoundConstants[6], kRoundConstants[7]));
    else if constexpr (G == 2) rounds4_same<N>(l.abef, l.cdgh, k4(2));
    else if constexpr (G == 3) rounds4_same<N>(l.abef, l.cdgh, words(kRoundConstants[12], kRoundConstants[13], kRoundConstants[14], kRoundConstants[15] + 640));
    else group_from_message<G, N>(l.abef, l.cdgh, l.m);
}
// Hash 2 at the start of round 0: hash 1's digest (plus the midstate) as its message.
template <int N> inline void shani_h2_init(const ShaniPlan& p, ShaniLanes<N>& l) {
    using sha256::kInitialState;
    for (int s = 0; s < N; ++s) {
        const __m128i a = _mm_add_epi32(l.abef[s], p.mid_abef);  // lanes 3..0: A B E F
        const __m128i c = _mm_add_epi32(l.cdgh[s], p.mid_cdgh);  // lanes 3..0: C D G H
        l.m[s][0] = _mm_shuffle_epi32(_mm_unpackhi_epi64(a, c), 0xB1);  // A B C D (lane 0 = A)
        l.m[s][1] = _mm_shuffle_epi32(_mm_unpacklo_epi64(a, c), 0xB1);  // E F G H
        l.m[s][2] = words(0x80000000u, 0, 0, 0);
        l.m[s][3] = words(0, 0, 0, 256);
        l.abef[s] = words(kInitialState[5], kInitialState[4], kInitialState[1], kInitialState[0]);
        l.cdgh[s] = words(kInitialState[7], kInitialState[6], kInitialState[3], kInitialState[2]);
    }
}
// Hash 2, rounds 4G..4G+3 (0 <= G <= 14).
template <int G, int N> inline void shani_h2_group(ShaniLanes<N>& l) {
    using sha256::kRoundConstants;
    if constexpr (G == 2) rounds4_same<N>(l.abef, l.cdgh, words(kRoundConstants[8] + 0x80000000u, kRoundConstants[9], kRoundConstants[10], kRoundConstants[11]));
    else if constexpr (G == 3) rounds4_same<N>(l.abef, l.cdgh, words(kRoundConstants[12], kRoundConstants[13], kRoundConstants[14], kRoundConstants[15] + 256));
    else group_from_message<G, N>(l.abef, l.cdgh, l.m);
}
// Hash 2, rounds 60 and 61 only: H7 per stream.
template <int N> inline void shani_h2_last(ShaniLanes<N>& l, std::uint32_t (&h7)[N]) {
    for (int s = 0; s < N; ++s) schedule4<15>(l.m[s]);
    for (int s = 0; s < N; ++s) {
        const __m128i r = _mm_sha256rnds2_epu32(l.cdgh[s], l.abef[s], _mm_add_epi32(l.m[s][3], k4(15)));
        h7[s] = static_cast<std::uint32_t>(_mm_cvtsi128_si32(r)) + sha256::kInitialState[7];
    }
}

template <int From, int To, int N> inline void shani_h1_groups(ShaniLanes<N>& l) {
    [&]<int... I>(std::integer_sequence<int, I...>) { (shani_h1_group<From + I, N>(l), ...); }(std::make_integer_sequence<int, To - From>{});
}
template <int From, int To, int N> inline void shani_h2_groups(ShaniLanes<N>& l) {
    [&]<int... I>(std::integer_sequence<int, I...>) { (shani_h2_group<From + I, N>(l), ...); }(std::make_integer_sequence<int, To - From>{});
}

// H7 for N nonce words at once.
template <int N> inline void shani_sha256d_h7(const ShaniPlan& p, const std::uint32_t (&w3)[N], std::uint32_t (&h7)[N]) {
    ShaniLanes<N> l;
    shani_h1_init<N>(p, w3, l);
    shani_h1_groups<1, 16, N>(l);
    shani_h2_init<N>(p, l);
    shani_h2_groups<0, 15, N>(l);
    shani_h2_last<N>(l, h7);
}

}  // namespace
}  // namespace hf::kernel
