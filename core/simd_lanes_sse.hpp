// The 4 x 32-bit SSE lane vector for sha256d_kernel.hpp (SSE2 arithmetic, SSSE3 byte swap, SSE4.1
// unsigned minimum). Include after switching those on; internal linkage like the kernel. Used by
// the shani+sse hybrid, where legacy-SSE encoding matches SHA-NI's (no VEX/SSE mixing).
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "core/sha256d_plan.hpp"

namespace hf::kernel {
namespace {

struct U32x4 {
    static constexpr int kLanes = 4;
    __m128i v;
    static U32x4 set1(std::uint32_t x) { return {_mm_set1_epi32(static_cast<int>(x))}; }
    static U32x4 iota() { return {_mm_setr_epi32(0, 1, 2, 3)}; }
};
inline U32x4 operator+(U32x4 a, U32x4 b) { return {_mm_add_epi32(a.v, b.v)}; }
inline U32x4 operator^(U32x4 a, U32x4 b) { return {_mm_xor_si128(a.v, b.v)}; }
inline U32x4 operator&(U32x4 a, U32x4 b) { return {_mm_and_si128(a.v, b.v)}; }
inline U32x4 operator|(U32x4 a, U32x4 b) { return {_mm_or_si128(a.v, b.v)}; }
template <int N> inline U32x4 rotr(U32x4 x) { return {_mm_or_si128(_mm_srli_epi32(x.v, N), _mm_slli_epi32(x.v, 32 - N))}; }
template <int N> inline U32x4 shr(U32x4 x) { return {_mm_srli_epi32(x.v, N)}; }
inline U32x4 xor3(U32x4 a, U32x4 b, U32x4 c) { return a ^ b ^ c; }
inline U32x4 choose(U32x4 e, U32x4 f, U32x4 g) { return g ^ (e & (f ^ g)); }
inline U32x4 majority(U32x4 a, U32x4 b, U32x4 c) { return (a & b) | (c & (a | b)); }
inline U32x4 byteswap(U32x4 x) {
    return {_mm_shuffle_epi8(x.v, _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12))};
}
inline std::uint32_t may_meet_mask(U32x4 h7, std::uint32_t limit) {
    const __m128i x = byteswap(h7).v;
    const __m128i le = _mm_cmpeq_epi32(_mm_min_epu32(x, _mm_set1_epi32(static_cast<int>(limit))), x);
    return static_cast<std::uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(le)));
}

}  // namespace
}  // namespace hf::kernel
