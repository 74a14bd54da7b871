// The sha256d nonce kernel, written once over a lane vector V: V = one 32-bit word (the scalar
// backend, one nonce at a time) or 8/16 words in SIMD registers (avx2/avx512, one nonce per lane,
// all lanes in lockstep like the threads of a GPU warp). Each backend source file includes this
// header after switching on its instruction set, so everything here has internal linkage (an
// anonymous namespace): every backend gets its own copy compiled for its own ISA, and no inline
// function built for AVX2 can be picked by the linker for code that runs on a plain x86-64.
//
// A lane vector provides: V::kLanes, V::set1(u32), V::iota() (0,1,2,...), operators + ^ & |,
// the free functions rotr<N>, shr<N>, xor3, choose, majority (AVX-512 does the last three in
// one vpternlogd each, and rotr in one vprold) and settled, operator- for the short chains, and the
// form it runs best with: V::kConstantIntoG, V::kShortChains (round_any), V::kRolledRounds.
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
//
// Two of the choices a lane type makes (each measured per ISA, docs/performance-kernels.md):
//
// V::kConstantIntoG, where a round's constant part of K+W is added:
// - true (AVX-512): early. h arrives with its round's constant already in it, and a round adds the
//   next round's constant to g (g is next round's h) before Ch reads g for the last time. Same
//   number of additions, but g dies in Ch, so a destructive three-input instruction (vpternlogd)
//   can overwrite it instead of a copy.
// - false (AVX2): in its own round, with W. With 16 registers and two-input instructions the early
//   form only lengthened g's life: 288 more spill moves per 8 nonces, 9.0 against 12.1 MH/s.
//
// V::kShortChains, how the additions are grouped. A round is two dependency chains, e to new e
// and a to new a, and on Zen 5 every vector operation takes 2 cycles, so the kernel runs at the
// speed of those chains, not of its instruction count. Textbook grouping, t1 = h + S1(e) + Ch + KW
// and new e = d + t1, puts four additions after S1(e). Short chains add the old words first,
// new e = ((d + h + KW) + Ch) + S1(e): one addition after S1 (d, h and KW are known a round
// early), then t1 = new e - d and new a = S0(a) + (Maj + t1): one addition after S0, and the a
// chain trails the e chain without slowing it. One more operation per round; avx512 36 -> 50
// MH/s. Scalar (1-cycle operations, throughput-bound) keeps the textbook grouping: 5% faster.
// settled(x) pins a grouping: the compiler would otherwise re-associate the sums; it emits nothing.
//
// `own` is the round's constant, `next` the next round's (unused when Last: no next round in this
// hash). HasW: the round has a message word w beyond its constant. NeedA: its new a is used.
template <int R, bool Last, bool HasW, bool NeedA, class V> inline void round_any(V (&s)[8], V w, std::uint32_t own, std::uint32_t next) {
    V& a = s[(0 - R) & 7]; V& b = s[(1 - R) & 7]; V& c = s[(2 - R) & 7]; V& d = s[(3 - R) & 7];
    V& e = s[(4 - R) & 7]; V& f = s[(5 - R) & 7]; V& g = s[(6 - R) & 7]; V& h = s[(7 - R) & 7];
    V hkw = h;  // h + K + W
    V g_next = g;
    if constexpr (V::kConstantIntoG) {
        if constexpr (HasW) hkw = h + w;
        if constexpr (!Last) g_next = settled(g + V::set1(next));
    } else {
        V kw = V::set1(own);
        if constexpr (HasW) kw = kw + w;
        hkw = h + kw;
    }
    if constexpr (V::kShortChains) {
        const V ch = choose(e, f, g);
        const V s1 = big_sigma1(e);
        g = g_next;
        const V old_d = d;
        d = settled(settled(d + hkw) + ch) + s1;
        if constexpr (NeedA) h = big_sigma0(a) + settled(majority(a, b, c) + settled(d - old_d));
    } else {
        const V t1 = hkw + big_sigma1(e) + choose(e, f, g);
        g = g_next;
        if constexpr (NeedA) h = t1 + big_sigma0(a) + majority(a, b, c);
        d = d + t1;
    }
}
template <int R, bool Last, class V> inline void round_step(V (&s)[8], V w, std::uint32_t own, std::uint32_t next) {
    round_any<R, Last, true, true>(s, w, own, next);
}
// A round whose message word is a constant, all of it in `own`.
template <int R, bool Last, class V> inline void round_step(V (&s)[8], std::uint32_t own, std::uint32_t next) {
    round_any<R, Last, false, true>(s, V{}, own, next);
}
// A round whose new a is never needed (the last rounds before the H7 decision): only new e.
template <int R, bool Last, class V> inline void round_e_only(V (&s)[8], V w, std::uint32_t own, std::uint32_t next) {
    round_any<R, Last, true, false>(s, w, own, next);
}
template <int R, class V> inline V& e_after(V (&s)[8]) { return s[(3 - R) & 7]; }  // new e of round R

template <class V> inline V sched(V w2, V w7, V w15, V w16) { return small_sigma1(w2) + w7 + small_sigma0(w15) + w16; }

constexpr std::uint32_t kPad80 = 0x80000000;  // the 1 bit right after the message
constexpr std::uint32_t kLen80 = 640;          // hash 1, block 2: 80-byte message length in bits
constexpr std::uint32_t kLen32 = 256;          // hash 2: 32-byte message length in bits
constexpr std::uint32_t K(int i) { return sha256::kRoundConstants[static_cast<unsigned>(i)]; }
constexpr std::uint32_t ssig0(std::uint32_t x) { return (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3); }
constexpr std::uint32_t ssig1(std::uint32_t x) { return (x >> 17 | x << 15) ^ (x >> 19 | x << 13) ^ (x >> 10); }

// Message word T of hash 1's block 2 (T >= 18; W16 and W17 are the plan's constants), from the
// nonce word W3 and the words before it, with the zero and constant padding words folded in.
template <int T, class V> inline V h1_word(const Sha256dPlan& p, V w3, const V* w) {
    if constexpr (T == 18) return V::set1(p.w18_part) + small_sigma0(w3);
    else if constexpr (T == 19) return V::set1(p.w19_part) + w3;
    else if constexpr (T == 20) return small_sigma1(w[18]) + V::set1(kPad80);  // + W13 + s0(W5) = 0
    else if constexpr (T == 21) return small_sigma1(w[19]);
    else if constexpr (T == 22) return small_sigma1(w[20]) + V::set1(kLen80);
    else if constexpr (T <= 29) return small_sigma1(w[T - 2]) + w[T - 7];     // W[T-15], W[T-16] are 0
    else if constexpr (T == 30) return small_sigma1(w[28]) + w[23] + V::set1(ssig0(kLen80));
    else if constexpr (T == 31) return small_sigma1(w[29]) + w[24] + V::set1(p.w31_part);
    else if constexpr (T == 32) return small_sigma1(w[30]) + w[25] + V::set1(p.w32_part);
    else return sched(w[T - 2], w[T - 7], w[T - 15], w[T - 16]);
}

// Message word T of hash 2 (T >= 16): W0..W7 are hash 1's digest, W8..W15 constant padding.
template <int T, class V> inline V h2_word(const V* x) {
    if constexpr (T == 16) return small_sigma0(x[1]) + x[0];
    else if constexpr (T == 17) return V::set1(ssig1(kLen32)) + small_sigma0(x[2]) + x[1];
    else if constexpr (T <= 21) return small_sigma1(x[T - 2]) + small_sigma0(x[T - 15]) + x[T - 16];
    else if constexpr (T == 22) return small_sigma1(x[20]) + V::set1(kLen32) + small_sigma0(x[7]) + x[6];
    else if constexpr (T == 23) return small_sigma1(x[21]) + x[16] + V::set1(ssig0(kPad80)) + x[7];
    else if constexpr (T == 24) return small_sigma1(x[22]) + x[17] + V::set1(kPad80);
    else if constexpr (T <= 29) return small_sigma1(x[T - 2]) + x[T - 7];
    else if constexpr (T == 30) return small_sigma1(x[28]) + x[23] + V::set1(ssig0(kLen32));
    else if constexpr (T == 31) return small_sigma1(x[29]) + x[24] + small_sigma0(x[16]) + V::set1(kLen32);
    else return sched(x[T - 2], x[T - 7], x[T - 15], x[T - 16]);
}

// The constant part of K+W of hash 1's round T (4 <= T <= 63): all of it up to round 17.
template <int T> inline std::uint32_t h1_constant(const Sha256dPlan& p) {
    if constexpr (T == 4) return K(T) + kPad80;
    else if constexpr (T == 15) return K(T) + kLen80;
    else if constexpr (T == 16) return K(T) + p.w16;
    else if constexpr (T == 17) return K(T) + p.w17;
    else return K(T);  // W5..W14 are zero; W18 on depend on the nonce
}
// The same for hash 2's round T (1 <= T <= 60): W8..W15 are padding.
template <int T> constexpr std::uint32_t h2_constant() {
    if constexpr (T == 8) return K(T) + kPad80;
    else if constexpr (T == 15) return K(T) + kLen32;
    else return K(T);
}

// Hash 1 working state and message words for one vector of nonces.
template <class V> struct Hash1 {
    V s[8];
    V w[64];
    V w3;
};
template <class V> struct Hash2 {
    V t[8];
    V x[64];
};

// Hash 1 from the start of round 4: the plan's state, the nonce word added to a and e.
template <class V> inline void h1_init(const Sha256dPlan& p, V w3, Hash1<V>& h) {
    for (int i = 0; i < 8; ++i) h.s[(i - 4) & 7] = V::set1(p.v3[static_cast<unsigned>(i)]);
    h.s[(0 - 4) & 7] = h.s[(0 - 4) & 7] + w3;  // a
    h.s[(4 - 4) & 7] = h.s[(4 - 4) & 7] + w3;  // e
    if constexpr (V::kConstantIntoG) h.s[(7 - 4) & 7] = V::set1(p.v3[7] + h1_constant<4>(p));  // h, with round 4's K+W
    h.w[16] = V::set1(p.w16);
    h.w[17] = V::set1(p.w17);
    h.w3 = w3;
}

// Round T of hash 1 (4 <= T <= 63), computing its message word first when it has one to compute.
template <int T, class V> inline void h1_round(const Sha256dPlan& p, Hash1<V>& h) {
    constexpr bool kLast = T == 63;
    const std::uint32_t own = h1_constant<T>(p);
    const std::uint32_t next = kLast ? 0 : h1_constant<kLast ? 63 : T + 1>(p);
    if constexpr (T <= 17) round_step<T, kLast>(h.s, own, next);  // W4..W17 are constants
    else {
        h.w[T] = h1_word<T>(p, h.w3, h.w);
        round_step<T, kLast>(h.s, h.w[T], own, next);
    }
}

// Hash 2 from the start of round 1: hash 1's digest (state + midstate) is its message.
template <class V> inline void h2_init(const Sha256dPlan& p, const Hash1<V>& h1, Hash2<V>& h) {
    for (int i = 0; i < 8; ++i) h.x[i] = h1.s[i] + V::set1(p.midstate[static_cast<unsigned>(i)]);
    for (int i = 0; i < 8; ++i) h.t[(i - 1) & 7] = V::set1(p.h2_v1[static_cast<unsigned>(i)]);
    h.t[(0 - 1) & 7] = h.t[(0 - 1) & 7] + h.x[0];
    h.t[(4 - 1) & 7] = h.t[(4 - 1) & 7] + h.x[0];
    if constexpr (V::kConstantIntoG) h.t[(7 - 1) & 7] = V::set1(p.h2_v1[7] + h2_constant<1>());  // h, with round 1's K
}

// Round T of hash 2 (1 <= T <= 60); rounds 57..60 compute only e, all H7 needs.
template <int T, class V> inline void h2_round(Hash2<V>& h) {
    constexpr bool kLast = T == 60;
    constexpr std::uint32_t own = h2_constant<T>();
    constexpr std::uint32_t next = kLast ? 0 : h2_constant<kLast ? 60 : T + 1>();
    if constexpr (T <= 7) round_step<T, kLast>(h.t, h.x[T], own, next);
    else if constexpr (T <= 15) round_step<T, kLast>(h.t, own, next);
    else {
        h.x[T] = h2_word<T>(h.x);
        if constexpr (T <= 56) round_step<T, kLast>(h.t, h.x[T], own, next);
        else round_e_only<T, kLast>(h.t, h.x[T], own, next);
    }
}

// H7 of hash 2: e after round 60 plus the initial state's last word.
template <class V> inline V h2_h7(Hash2<V>& h) { return e_after<60>(h.t) + V::set1(sha256::kInitialState[7]); }

template <int From, int To, class V> inline void h1_rounds(const Sha256dPlan& p, Hash1<V>& h) {
    [&]<int... I>(std::integer_sequence<int, I...>) { (h1_round<From + I>(p, h), ...); }(std::make_integer_sequence<int, To - From>{});
}
template <int From, int To, class V> inline void h2_rounds(Hash2<V>& h) {
    [&]<int... I>(std::integer_sequence<int, I...>) { (h2_round<From + I>(h), ...); }(std::make_integer_sequence<int, To - From>{});
}

// Rounds From..To-1 whose message words all follow the general schedule, as a loop of eight
// rounds (the state slots repeat every eight), for lane types whose unrolled kernel outgrows the
// instruction caches (V::kRolledRounds): avx2 38 -> 23 KB of code, as fast on Zen 5 and meant for
// AVX2-only cores with smaller op caches. avx512's unrolled kernel (3471 instructions) keeps the
// schedule words in registers; as a loop it lost 32%.
template <int From, int To, class V> inline void rounds_rolled(V (&s)[8], V* w) {
    static_assert(From % 8 == 0 && (To - From) % 8 == 0 && To <= 64);
#pragma GCC unroll 1
    for (int base = From; base < To; base += 8) {
        [&]<int... I>(std::integer_sequence<int, I...>) {
            ((w[base + I] = sched(w[base + I - 2], w[base + I - 7], w[base + I - 15], w[base + I - 16]),
              round_step<I, false>(s, w[base + I], K(base + I), base + I + 1 < 64 ? K(base + I + 1) : 0)), ...);
        }(std::make_integer_sequence<int, 8>{});
    }
}

// H7 of sha256d(header with nonce) per lane, given W3 (the byte-swapped nonce) per lane.
template <class V> inline V sha256d_h7(const Sha256dPlan& p, V w3) {
    Hash1<V> a;
    h1_init(p, w3, a);
    if constexpr (V::kRolledRounds) {
        h1_rounds<4, 32>(p, a);
        rounds_rolled<32, 64>(a.s, a.w);  // W32 by the general rule: W16, W17 are in a.w
    } else {
        h1_rounds<4, 64>(p, a);
    }
    Hash2<V> b;
    h2_init(p, a, b);
    if constexpr (V::kRolledRounds) {
        h2_rounds<1, 32>(b);
        rounds_rolled<32, 56>(b.t, b.x);
        h2_rounds<56, 61>(b);
    } else {
        h2_rounds<1, 61>(b);
    }
    return h2_h7(b);
}

// One 32-bit lane: the scalar backend, and the portable model the SIMD lanes are tested against.
struct U32x1 {
    static constexpr int kLanes = 1;
    static constexpr bool kConstantIntoG = true;
    static constexpr bool kShortChains = false;
    static constexpr bool kRolledRounds = false;
    std::uint32_t v;
    static U32x1 set1(std::uint32_t x) { return {x}; }
    static U32x1 iota() { return {0}; }
    friend U32x1 operator+(U32x1 a, U32x1 b) { return {a.v + b.v}; }
    friend U32x1 operator-(U32x1 a, U32x1 b) { return {a.v - b.v}; }
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
inline U32x1 settled(U32x1 x) { return x; }
inline std::uint32_t may_meet_mask(U32x1 h7, std::uint32_t limit) { return h7_may_meet(h7.v, limit) ? 1u : 0u; }

}  // namespace
}  // namespace hf::kernel
