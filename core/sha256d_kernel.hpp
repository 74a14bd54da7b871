// The sha256d nonce kernel, written once over a lane vector V: V = one 32-bit word (the scalar
// backend, one nonce at a time) or 8/16 words in SIMD registers (avx2/avx512, one nonce per lane,
// all lanes in lockstep like the threads of a GPU warp). Each backend source file includes this
// header after switching on its instruction set, so everything here has internal linkage (an
// anonymous namespace): every backend gets its own copy compiled for its own ISA, and no inline
// function built for AVX2 can be picked by the linker for code that runs on a plain x86-64.
//
// A lane vector provides: V::kLanes, V::set1(u32), V::iota() (0,1,2,...), operators + ^ & |,
// and the free functions rotr<N>, shr<N>, xor3, choose, majority (AVX-512 does the last three in
// one vpternlogd each, and rotr in one vprold).
//
// The tricks (see sha256d_plan.hpp): hash 1 starts at round 4 of block 2 from the plan's state;
// rounds 4..17 add constants only; the schedule skips zero padding words; hash 2 starts at round 1
// and stops after round 60, which decides its last state word H7.
#pragma once

#include <cstdint>
#include <utility>

#include "core/sha256.hpp"
#include "core/sha256d_plan.hpp"

namespace hf::kernel {
namespace {

template <class V> inline V big_sigma0(V x) { return xor3(rotr<2>(x), rotr<13>(x), rotr<22>(x)); }
template <class V> inline V big_sigma1(V x) { return xor3(rotr<6>(x), rotr<11>(x), rotr<25>(x)); }
template <class V> inline V small_sigma0(V x) { return xor3(rotr<7>(x), rotr<18>(x), shr<3>(x)); }
template <class V> inline V small_sigma1(V x) { return xor3(rotr<17>(x), rotr<19>(x), shr<10>(x)); }

// State array s[8]: at round R, working variable a is s[(0 - R) & 7], b is s[(1 - R) & 7], ... so
// a round writes its new a into the old h slot and its new e into the old d slot, with no moves.
template <int R, class V> inline void round_kw(V (&s)[8], V kw) {
    V& a = s[(0 - R) & 7]; V& b = s[(1 - R) & 7]; V& c = s[(2 - R) & 7]; V& d = s[(3 - R) & 7];
    V& e = s[(4 - R) & 7]; V& f = s[(5 - R) & 7]; V& g = s[(6 - R) & 7]; V& h = s[(7 - R) & 7];
    const V t1 = h + big_sigma1(e) + choose(e, f, g) + kw;
    const V t2 = big_sigma0(a) + majority(a, b, c);
    d = d + t1;
    h = t1 + t2;
}
template <int R, class V> inline void round_w(V (&s)[8], V w) { round_kw<R>(s, V::set1(sha256::kRoundConstants[R]) + w); }
// A round whose new a is never needed (the last rounds before the H7 decision): only new e.
template <int R, class V> inline void round_e_only(V (&s)[8], V w) {
    V& d = s[(3 - R) & 7]; V& e = s[(4 - R) & 7]; V& f = s[(5 - R) & 7]; V& g = s[(6 - R) & 7]; V& h = s[(7 - R) & 7];
    d = d + h + big_sigma1(e) + choose(e, f, g) + V::set1(sha256::kRoundConstants[R]) + w;
}
template <int R, class V> inline V& e_after(V (&s)[8]) { return s[(3 - R) & 7]; }  // new e of round R

template <class V> inline V sched(V w2, V w7, V w15, V w16) { return small_sigma1(w2) + w7 + small_sigma0(w15) + w16; }

template <int From, int To, class V> inline void rounds_range(V (&s)[8], const V* w) {
    [&]<int... I>(std::integer_sequence<int, I...>) { (round_w<From + I>(s, w[From + I]), ...); }(
        std::make_integer_sequence<int, To - From>{});
}
template <int From, int To, class V> inline void schedule_range(V* w) {
    [&]<int... I>(std::integer_sequence<int, I...>) {
        ((w[From + I] = sched(w[From + I - 2], w[From + I - 7], w[From + I - 15], w[From + I - 16])), ...);
    }(std::make_integer_sequence<int, To - From>{});
}

constexpr std::uint32_t kPad80 = 0x80000000;  // the 1 bit right after the message
constexpr std::uint32_t kLen80 = 640;          // hash 1, block 2: 80-byte message length in bits
constexpr std::uint32_t kLen32 = 256;          // hash 2: 32-byte message length in bits
constexpr std::uint32_t K(int i) { return sha256::kRoundConstants[static_cast<unsigned>(i)]; }
constexpr std::uint32_t ssig0(std::uint32_t x) { return (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3); }
constexpr std::uint32_t ssig1(std::uint32_t x) { return (x >> 17 | x << 15) ^ (x >> 19 | x << 13) ^ (x >> 10); }

// H7 of sha256d(header with nonce) per lane, given W3 (the byte-swapped nonce) per lane.
template <class V> inline V sha256d_h7(const Sha256dPlan& p, V w3) {
    // ---- hash 1, block 2, from the start of round 4 ----
    V s[8];
    for (int i = 0; i < 8; ++i) s[(i - 4) & 7] = V::set1(p.v3[static_cast<unsigned>(i)]);
    s[(0 - 4) & 7] = s[(0 - 4) & 7] + w3;  // a
    s[(4 - 4) & 7] = s[(4 - 4) & 7] + w3;  // e
    round_kw<4>(s, V::set1(K(4) + kPad80));
    round_kw<5>(s, V::set1(K(5)));
    round_kw<6>(s, V::set1(K(6)));
    round_kw<7>(s, V::set1(K(7)));
    round_kw<8>(s, V::set1(K(8)));
    round_kw<9>(s, V::set1(K(9)));
    round_kw<10>(s, V::set1(K(10)));
    round_kw<11>(s, V::set1(K(11)));
    round_kw<12>(s, V::set1(K(12)));
    round_kw<13>(s, V::set1(K(13)));
    round_kw<14>(s, V::set1(K(14)));
    round_kw<15>(s, V::set1(K(15) + kLen80));
    round_kw<16>(s, V::set1(K(16) + p.w16));
    round_kw<17>(s, V::set1(K(17) + p.w17));
    V w[64];
    w[16] = V::set1(p.w16);
    w[17] = V::set1(p.w17);
    w[18] = V::set1(p.w18_part) + small_sigma0(w3);
    w[19] = V::set1(p.w19_part) + w3;
    w[20] = small_sigma1(w[18]) + V::set1(kPad80);
    w[21] = small_sigma1(w[19]);
    w[22] = small_sigma1(w[20]) + V::set1(kLen80);
    w[23] = small_sigma1(w[21]) + w[16];
    w[24] = small_sigma1(w[22]) + w[17];
    w[25] = small_sigma1(w[23]) + w[18];
    w[26] = small_sigma1(w[24]) + w[19];
    w[27] = small_sigma1(w[25]) + w[20];
    w[28] = small_sigma1(w[26]) + w[21];
    w[29] = small_sigma1(w[27]) + w[22];
    w[30] = small_sigma1(w[28]) + w[23] + V::set1(ssig0(kLen80));
    w[31] = small_sigma1(w[29]) + w[24] + V::set1(p.w31_part);
    w[32] = small_sigma1(w[30]) + w[25] + V::set1(p.w32_part);
    rounds_range<18, 33>(s, w);
    schedule_range<33, 64>(w);
    rounds_range<33, 64>(s, w);

    // ---- hash 2: the 32-byte digest, from the start of round 1 ----
    V x[64];
    for (int i = 0; i < 8; ++i) x[i] = s[i] + V::set1(p.midstate[static_cast<unsigned>(i)]);
    V t[8];
    for (int i = 0; i < 8; ++i) t[(i - 1) & 7] = V::set1(p.h2_v1[static_cast<unsigned>(i)]);
    t[(0 - 1) & 7] = t[(0 - 1) & 7] + x[0];
    t[(4 - 1) & 7] = t[(4 - 1) & 7] + x[0];
    rounds_range<1, 8>(t, x);
    round_kw<8>(t, V::set1(K(8) + kPad80));
    round_kw<9>(t, V::set1(K(9)));
    round_kw<10>(t, V::set1(K(10)));
    round_kw<11>(t, V::set1(K(11)));
    round_kw<12>(t, V::set1(K(12)));
    round_kw<13>(t, V::set1(K(13)));
    round_kw<14>(t, V::set1(K(14)));
    round_kw<15>(t, V::set1(K(15) + kLen32));
    x[16] = small_sigma0(x[1]) + x[0];
    x[17] = V::set1(ssig1(kLen32)) + small_sigma0(x[2]) + x[1];
    x[18] = small_sigma1(x[16]) + small_sigma0(x[3]) + x[2];
    x[19] = small_sigma1(x[17]) + small_sigma0(x[4]) + x[3];
    x[20] = small_sigma1(x[18]) + small_sigma0(x[5]) + x[4];
    x[21] = small_sigma1(x[19]) + small_sigma0(x[6]) + x[5];
    x[22] = small_sigma1(x[20]) + V::set1(kLen32) + small_sigma0(x[7]) + x[6];
    x[23] = small_sigma1(x[21]) + x[16] + V::set1(ssig0(kPad80)) + x[7];
    x[24] = small_sigma1(x[22]) + x[17] + V::set1(kPad80);
    x[25] = small_sigma1(x[23]) + x[18];
    x[26] = small_sigma1(x[24]) + x[19];
    x[27] = small_sigma1(x[25]) + x[20];
    x[28] = small_sigma1(x[26]) + x[21];
    x[29] = small_sigma1(x[27]) + x[22];
    x[30] = small_sigma1(x[28]) + x[23] + V::set1(ssig0(kLen32));
    x[31] = small_sigma1(x[29]) + x[24] + small_sigma0(x[16]) + V::set1(kLen32);
    schedule_range<32, 61>(x);
    rounds_range<16, 57>(t, x);
    round_e_only<57>(t, x[57]);
    round_e_only<58>(t, x[58]);
    round_e_only<59>(t, x[59]);
    round_e_only<60>(t, x[60]);
    return e_after<60>(t) + V::set1(sha256::kInitialState[7]);
}

// One 32-bit lane: the scalar backend, and the portable model the SIMD lanes are tested against.
struct U32x1 {
    static constexpr int kLanes = 1;
    std::uint32_t v;
    static U32x1 set1(std::uint32_t x) { return {x}; }
    static U32x1 iota() { return {0}; }
    friend U32x1 operator+(U32x1 a, U32x1 b) { return {a.v + b.v}; }
    friend U32x1 operator^(U32x1 a, U32x1 b) { return {a.v ^ b.v}; }
    friend U32x1 operator&(U32x1 a, U32x1 b) { return {a.v & b.v}; }
    friend U32x1 operator|(U32x1 a, U32x1 b) { return {a.v | b.v}; }
};
template <int N> inline U32x1 rotr(U32x1 x) { return {x.v >> N | x.v << (32 - N)}; }
template <int N> inline U32x1 shr(U32x1 x) { return {x.v >> N}; }
inline U32x1 xor3(U32x1 a, U32x1 b, U32x1 c) { return {a.v ^ b.v ^ c.v}; }
inline U32x1 choose(U32x1 e, U32x1 f, U32x1 g) { return {g.v ^ (e.v & (f.v ^ g.v))}; }
inline U32x1 majority(U32x1 a, U32x1 b, U32x1 c) { return {(a.v & b.v) | (c.v & (a.v | b.v))}; }
inline U32x1 byteswap(U32x1 x) { return {__builtin_bswap32(x.v)}; }
inline std::uint32_t may_meet_mask(U32x1 h7, std::uint32_t limit) { return h7_may_meet(h7.v, limit) ? 1u : 0u; }

}  // namespace
}  // namespace hf::kernel
