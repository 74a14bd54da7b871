// The 16 x 32-bit AVX-512 lane vector for sha256d_kernel.hpp, and a pair of them (two independent
// 16-lane groups whose instructions interleave, so each round's dependency chain has a twin to
// overlap with). Include after switching on AVX-512 F/VL/BW (and after sha256d_kernel.hpp);
// internal linkage like the kernel.
//
// AVX-512 adds two things SHA-256 wants: vprold (a rotate in one instruction) and vpternlogd (any
// three-input boolean function in one instruction: the XOR of three rotations, Ch, Maj).
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "core/sha256d_plan.hpp"

namespace hf::kernel {
namespace {

struct U32x16 {
    static constexpr int kLanes = 16;
    static constexpr bool kConstantIntoG = true;  // see round_any in sha256d_kernel.hpp
    static constexpr bool kShortChains = true;     // see round_any in sha256d_kernel.hpp
    static constexpr bool kRolledRounds = false;    // see rounds_rolled in sha256d_kernel.hpp
    __m512i v;
    static U32x16 set1(std::uint32_t x) { return {_mm512_set1_epi32(static_cast<int>(x))}; }
    static U32x16 iota() { return {_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)}; }
};
// Free functions, not in-class friends: GCC applies "#pragma GCC target" to these.
inline U32x16 operator+(U32x16 a, U32x16 b) { return {_mm512_add_epi32(a.v, b.v)}; }
inline U32x16 operator-(U32x16 a, U32x16 b) { return {_mm512_sub_epi32(a.v, b.v)}; }
inline U32x16 operator^(U32x16 a, U32x16 b) { return {_mm512_xor_si512(a.v, b.v)}; }
inline U32x16 operator&(U32x16 a, U32x16 b) { return {_mm512_and_si512(a.v, b.v)}; }
inline U32x16 operator|(U32x16 a, U32x16 b) { return {_mm512_or_si512(a.v, b.v)}; }
template <int N> inline U32x16 rotr(U32x16 x) { return {_mm512_ror_epi32(x.v, N)}; }
template <int N> inline U32x16 shr(U32x16 x) { return {_mm512_srli_epi32(x.v, N)}; }
// vpternlogd truth tables (bit i = f(a, b, c) with i = 4a + 2b + c): XOR3 0x96, Ch 0xCA, Maj 0xE8.
inline U32x16 xor3(U32x16 a, U32x16 b, U32x16 c) { return {_mm512_ternarylogic_epi32(a.v, b.v, c.v, 0x96)}; }
// Ch with g as the operand vpternlogd overwrites (g dies in Ch, see round_t1): e ? f : g is 0xB8 in that order.
inline U32x16 choose(U32x16 e, U32x16 f, U32x16 g) { return {_mm512_ternarylogic_epi32(g.v, e.v, f.v, 0xB8)}; }
inline U32x16 majority(U32x16 a, U32x16 b, U32x16 c) { return {_mm512_ternarylogic_epi32(a.v, b.v, c.v, 0xE8)}; }
// An empty asm: x is computed here, as written, not re-associated into later additions.
inline U32x16 settled(U32x16 x) {
    asm("" : "+v"(x.v));
    return x;
}
inline U32x16 byteswap(U32x16 x) {
    const __m512i swap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
    return {_mm512_shuffle_epi8(x.v, swap)};
}
inline std::uint32_t may_meet_mask(U32x16 h7, std::uint32_t limit) {
    return _mm512_cmple_epu32_mask(byteswap(h7).v, _mm512_set1_epi32(static_cast<int>(limit)));
}

// Two 16-lane groups: lanes 0..15 in lo, 16..31 in hi.
struct U32x16x2 {
    static constexpr int kLanes = 32;
    static constexpr bool kConstantIntoG = true;  // see round_any in sha256d_kernel.hpp
    static constexpr bool kShortChains = true;     // see round_any in sha256d_kernel.hpp
    static constexpr bool kRolledRounds = false;    // see rounds_rolled in sha256d_kernel.hpp
    U32x16 lo, hi;
    static U32x16x2 set1(std::uint32_t x) { return {U32x16::set1(x), U32x16::set1(x)}; }
    static U32x16x2 iota() { return {U32x16::iota(), U32x16::iota() + U32x16::set1(16)}; }
};
inline U32x16x2 operator+(U32x16x2 a, U32x16x2 b) { return {a.lo + b.lo, a.hi + b.hi}; }
inline U32x16x2 operator-(U32x16x2 a, U32x16x2 b) { return {a.lo - b.lo, a.hi - b.hi}; }
inline U32x16x2 operator^(U32x16x2 a, U32x16x2 b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; }
inline U32x16x2 operator&(U32x16x2 a, U32x16x2 b) { return {a.lo & b.lo, a.hi & b.hi}; }
inline U32x16x2 operator|(U32x16x2 a, U32x16x2 b) { return {a.lo | b.lo, a.hi | b.hi}; }
template <int N> inline U32x16x2 rotr(U32x16x2 x) { return {rotr<N>(x.lo), rotr<N>(x.hi)}; }
template <int N> inline U32x16x2 shr(U32x16x2 x) { return {shr<N>(x.lo), shr<N>(x.hi)}; }
inline U32x16x2 xor3(U32x16x2 a, U32x16x2 b, U32x16x2 c) { return {xor3(a.lo, b.lo, c.lo), xor3(a.hi, b.hi, c.hi)}; }
inline U32x16x2 choose(U32x16x2 e, U32x16x2 f, U32x16x2 g) { return {choose(e.lo, f.lo, g.lo), choose(e.hi, f.hi, g.hi)}; }
inline U32x16x2 majority(U32x16x2 a, U32x16x2 b, U32x16x2 c) { return {majority(a.lo, b.lo, c.lo), majority(a.hi, b.hi, c.hi)}; }
inline U32x16x2 settled(U32x16x2 x) { return {settled(x.lo), settled(x.hi)}; }
inline U32x16x2 byteswap(U32x16x2 x) { return {byteswap(x.lo), byteswap(x.hi)}; }
inline std::uint32_t may_meet_mask(U32x16x2 h7, std::uint32_t limit) {
    return may_meet_mask(h7.lo, limit) | may_meet_mask(h7.hi, limit) << 16;
}

}  // namespace
}  // namespace hf::kernel
