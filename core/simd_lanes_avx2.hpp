// The 8 x 32-bit AVX2 lane vector for sha256d_kernel.hpp. Include after switching on AVX2 (and
// after sha256d_kernel.hpp); internal linkage like the kernel.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "core/sha256d_plan.hpp"

namespace hf::kernel {
namespace {

struct U32x8 {
    static constexpr int kLanes = 8;
    static constexpr bool kConstantIntoG = false;  // see round_any in sha256d_kernel.hpp
    static constexpr bool kShortChains = true;     // see round_any in sha256d_kernel.hpp
    static constexpr bool kRolledRounds = true;    // see rounds_rolled in sha256d_kernel.hpp
    __m256i v;
    static U32x8 set1(std::uint32_t x) { return {_mm256_set1_epi32(static_cast<int>(x))}; }
    static U32x8 iota() { return {_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)}; }
};
// Free functions, not in-class friends: GCC applies "#pragma GCC target" to these.
inline U32x8 operator+(U32x8 a, U32x8 b) { return {_mm256_add_epi32(a.v, b.v)}; }
inline U32x8 operator-(U32x8 a, U32x8 b) { return {_mm256_sub_epi32(a.v, b.v)}; }
inline U32x8 operator^(U32x8 a, U32x8 b) { return {_mm256_xor_si256(a.v, b.v)}; }
inline U32x8 operator&(U32x8 a, U32x8 b) { return {_mm256_and_si256(a.v, b.v)}; }
inline U32x8 operator|(U32x8 a, U32x8 b) { return {_mm256_or_si256(a.v, b.v)}; }
template <int N> inline U32x8 rotr(U32x8 x) { return {_mm256_or_si256(_mm256_srli_epi32(x.v, N), _mm256_slli_epi32(x.v, 32 - N))}; }
template <int N> inline U32x8 shr(U32x8 x) { return {_mm256_srli_epi32(x.v, N)}; }
inline U32x8 xor3(U32x8 a, U32x8 b, U32x8 c) { return a ^ b ^ c; }
inline U32x8 choose(U32x8 e, U32x8 f, U32x8 g) { return g ^ (e & (f ^ g)); }
inline U32x8 majority(U32x8 a, U32x8 b, U32x8 c) { return (a & b) | (c & (a | b)); }
// An empty asm: x is computed here, as written, not re-associated into later additions.
inline U32x8 settled(U32x8 x) {
    asm("" : "+x"(x.v));
    return x;
}
inline U32x8 byteswap(U32x8 x) {
    const __m256i swap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
                                          3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    return {_mm256_shuffle_epi8(x.v, swap)};
}
// Lanes whose byte-swapped H7 is <= limit (unsigned): min(x, limit) == x.
inline std::uint32_t may_meet_mask(U32x8 h7, std::uint32_t limit) {
    const __m256i x = byteswap(h7).v;
    const __m256i le = _mm256_cmpeq_epi32(_mm256_min_epu32(x, _mm256_set1_epi32(static_cast<int>(limit))), x);
    return static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(le)));
}

}  // namespace
}  // namespace hf::kernel
