// The SHA-256 round and message-schedule functions as small pure functions. The reference
// hasher, the scalar nonce scanner and the hardware model's round units all use these, so the
// emulated silicon and the software agree by construction on what one round is.
#pragma once

#include <bit>
#include <cstdint>

#include "core/sha256.hpp"

namespace hf::sha256 {

constexpr std::uint32_t big_sigma0(std::uint32_t x) { return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22); }
constexpr std::uint32_t big_sigma1(std::uint32_t x) { return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25); }
constexpr std::uint32_t small_sigma0(std::uint32_t x) { return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3); }
constexpr std::uint32_t small_sigma1(std::uint32_t x) { return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10); }
constexpr std::uint32_t choose(std::uint32_t e, std::uint32_t f, std::uint32_t g) { return g ^ (e & (f ^ g)); }
constexpr std::uint32_t majority(std::uint32_t a, std::uint32_t b, std::uint32_t c) { return (a & b) | (c & (a | b)); }

// W[t] from W[t-2], W[t-7], W[t-15], W[t-16].
constexpr std::uint32_t schedule_word(std::uint32_t w2, std::uint32_t w7, std::uint32_t w15, std::uint32_t w16) {
    return small_sigma1(w2) + w7 + small_sigma0(w15) + w16;
}

// One round on working variables a..h (v[0]..v[7]); `kw` is K[t] + W[t].
// Always inlined: the hardware model calls it from loops over stages and lanes where GCC otherwise
// keeps it out of line (a quarter of the cycle model's time went to the call).
[[gnu::always_inline]] constexpr void round(State& v, std::uint32_t kw) {
    const std::uint32_t t1 = v[7] + big_sigma1(v[4]) + choose(v[4], v[5], v[6]) + kw;
    const std::uint32_t t2 = big_sigma0(v[0]) + majority(v[0], v[1], v[2]);
    v[7] = v[6];
    v[6] = v[5];
    v[5] = v[4];
    v[4] = v[3] + t1;
    v[3] = v[2];
    v[2] = v[1];
    v[1] = v[0];
    v[0] = t1 + t2;
}

constexpr std::uint32_t load_be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
constexpr std::uint32_t load_le32(const std::uint8_t* p) {
    return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}
constexpr void store_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
constexpr void store_le32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
    p[2] = static_cast<std::uint8_t>(v >> 16);
    p[3] = static_cast<std::uint8_t>(v >> 24);
}

}  // namespace hf::sha256
